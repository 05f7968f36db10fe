package fetcher

import (
	"context"
	"encoding/json"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// output is one record topic: its converter, which writes the Avro body,
// and its registered codec, whose header frames it.
type output struct {
	topic string
	conv  *records.Converter
	codec *registry.Codec
}

// outputs are the record topics of every resource and fact, built from
// schemas.Tables() and registered before the first event is read.
type outputs map[string]*output

// deadLetterTopic is where events and records that can never succeed go.
func deadLetterTopic(prefix string) string { return prefix + ".deadletter.fetcher" }

// prepareOutputs compiles a converter and registers the value schema of
// every table's topic, and creates the topics. The ~25 registrations and
// creations run concurrently: one by one they make start-up take seconds.
func prepareOutputs(ctx context.Context, reg *registry.Client, cluster *broker.Cluster, prefix string) (outputs, error) {
	tables := schemas.Tables()
	outs := make([]*output, len(tables))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(8)
	for i, t := range tables {
		g.Go(func() error {
			conv, err := records.New(t)
			if err != nil {
				return err
			}
			topic := t.Topic(prefix)
			codec, err := reg.Register(gctx, schemas.Subject(topic), t.AvroSchema())
			if err != nil {
				return err
			}
			if err := cluster.EnsureTopics(gctx, topic); err != nil {
				return err
			}
			outs[i] = &output{topic: topic, conv: conv, codec: codec}
			return nil
		})
	}
	g.Go(func() error { return cluster.EnsureTopics(gctx, deadLetterTopic(prefix)) })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	out := outputs{}
	for i, t := range tables {
		out[t.Name] = outs[i]
	}
	return out, nil
}

// record converts one Belvo record into a message keyed by its id. The
// value is appended to arena when it fits there (see pageArena), and to a
// new slice otherwise. A record the converter refuses returns its
// *records.FieldError.
//
// The Avro body is written by Converter.Encode, not goavro: building
// Native's map and walking it in BinaryFromNative were three quarters of
// the fetcher's cost per record. Encode writes the same bytes (its tests
// hold every table to goavro's), behind the header of the registered id.
func (o *output) record(arena *pageArena, raw json.RawMessage, l records.Lineage) (broker.Message, error) {
	return o.encode(arena, raw, l, false)
}

// pageRecord is record for a record of a Belvo page. The client validated
// the whole page as JSON before handing it out, so the converter walks the
// record without validating it a second time (trusted): that second
// pass was a sixth of the fetcher's CPU.
func (o *output) pageRecord(arena *pageArena, raw json.RawMessage, l records.Lineage) (broker.Message, error) {
	return o.encode(arena, raw, l, true)
}

func (o *output) encode(arena *pageArena, raw json.RawMessage, l records.Lineage, valid bool) (broker.Message, error) {
	v, key, err := o.conv.Encode(o.codec.AppendHeader(arena.free()), raw, l, valid)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(arena.took(v), key), nil
}

// values is the message of a fact the fetcher makes from Go values (see
// records.Values); raw is the JSON it keeps, or nil for the values'.
func (o *output) values(v records.Values, raw json.RawMessage, l records.Lineage) (broker.Message, error) {
	value, key, err := o.conv.EncodeValues(o.codec.AppendHeader(nil), v, raw, l)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(value, key), nil
}

// deletion is the message of a deletion fact for record id.
func (o *output) deletion(id string, l records.Lineage) (broker.Message, error) {
	v, key, err := o.conv.EncodeDeletion(o.codec.AppendHeader(nil), id, l)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(v, key), nil
}

// message keys a framed value by the id the encoder returned. The key
// shares the value's bytes: they are kept and dropped together, and a copy
// was an allocation per record. A value took from an arena was written in
// place, so the key still points into it.
func (o *output) message(v, key []byte) broker.Message {
	return broker.Message{Topic: o.topic, Key: key, Value: v}
}

// pageArena holds the encoded values of one page in a single allocation.
// Appending each 7 kB value to a nil slice grew it a dozen times: the
// copies and the zeroing of every new backing array were a tenth of the
// fetcher's CPU. The values are produced together and dropped together, so
// one block per page costs no memory that the page did not hold anyway.
//
// Blocks are reused once Kafka has acknowledged every value in them: a new
// 7 MB block per page was zeroed by the runtime and faulted in page by page
// by the kernel, and at 16 workers the heap cycled through half a gigabyte
// a second doing it.
type pageArena struct{ buf []byte }

var arenas sync.Pool // of *pageArena

// newPageArena sizes the block from the page's JSON: a record's Avro is its
// raw JSON plus the typed fields taken from it and a few ids.
func newPageArena(raws []json.RawMessage) *pageArena {
	n := 0
	for _, r := range raws {
		n += len(r) + len(r)/4 + 256
	}
	if a, _ := arenas.Get().(*pageArena); a != nil && cap(a.buf) >= n {
		a.buf = a.buf[:0]
		return a
	}
	return &pageArena{buf: make([]byte, 0, n)}
}

// release hands the block to a later page. Only after every message in it
// is acknowledged: a produce that gave up early may still be sending them.
func (a *pageArena) release() { arenas.Put(a) }

// free is the unused rest of the block, empty; a nil arena has none.
func (a *pageArena) free() []byte {
	if a == nil {
		return nil
	}
	return a.buf[len(a.buf):]
}

// took records that v was appended to free(): if it fit, append wrote it
// in place and the block's used part grows over it. The returned v has no
// spare capacity, so an append to it cannot overwrite the next value.
func (a *pageArena) took(v []byte) []byte {
	if a != nil && len(v) <= cap(a.buf)-len(a.buf) {
		a.buf = a.buf[:len(a.buf)+len(v)]
	}
	return v[:len(v):len(v)]
}
