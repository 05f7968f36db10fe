package fetcher

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/privacy"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// output is one record topic: its converter, which writes the Avro body,
// the header of its registered schema, which frames it, and the protector
// of its records when privacy covers the resource.
type output struct {
	topic string
	conv  *records.Converter
	// header is the registered codec's Confluent header, the same for
	// every value: taken once, not asked of the registry client per record.
	header []byte
	// protect is nil with PRIVACY_MODE=off or when the policy has no rule
	// for the resource: then nothing of internal/privacy runs.
	protect *privacy.Protector
}

func newOutput(topic string, conv *records.Converter, codec *registry.Codec, p *privacy.Protector) *output {
	o := &output{topic: topic, conv: conv, header: codec.AppendHeader(nil)}
	if p.Covers(conv.Resource().Name) {
		o.protect = p
	}
	return o
}

// privacyPolicy is schemas.Privacy in the rewriter's terms.
func privacyPolicy() map[string][]privacy.Rule {
	out := map[string][]privacy.Rule{}
	for resource, rules := range schemas.Privacy {
		for _, r := range rules {
			a := privacy.Hash
			if r.Protect == schemas.Drop {
				a = privacy.Drop
			}
			out[resource] = append(out[resource], privacy.Rule{Path: r.Path, Action: a})
		}
	}
	return out
}

// outputs are the record topics of every resource and fact, built from
// schemas.Tables() and registered before the first event is read.
type outputs map[string]*output

// deadLetterTopic is where events and records that can never succeed go.
func deadLetterTopic(prefix string) string { return prefix + ".deadletter.fetcher" }

// prepareOutputs compiles a converter and registers the value schema of
// every table's topic, and creates the topics. The ~25 registrations and
// creations run concurrently: one by one they make start-up take seconds.
func prepareOutputs(ctx context.Context, reg *registry.Client, cluster *broker.Cluster, prefix string, protect *privacy.Protector) (outputs, error) {
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
			outs[i] = newOutput(topic, conv, codec, protect)
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
	v, key, err := o.conv.Encode(append(arena.free(), o.header...), raw, l, valid)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(arena.took(v), key), nil
}

// values is the message of a fact the fetcher makes from Go values (see
// records.Values); raw is the JSON it keeps, or nil for the values'.
func (o *output) values(v records.Values, raw json.RawMessage, l records.Lineage) (broker.Message, error) {
	value, key, err := o.conv.EncodeValues(o.frame(), v, raw, l)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(value, key), nil
}

// deletion is the message of a deletion fact for record id.
func (o *output) deletion(id string, l records.Lineage) (broker.Message, error) {
	v, key, err := o.conv.EncodeDeletion(o.frame(), id, l)
	if err != nil {
		return broker.Message{}, err
	}
	return o.message(v, key), nil
}

// frame is a new value holding the header, for a message of its own.
func (o *output) frame() []byte { return append([]byte(nil), o.header...) }

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

// The outputs step: every message an event's plan publishes is made here
// and sent through produce, in the order at-least-once needs. Records go
// first, a page per request while the next page is listed and converted;
// the facts that summarise them (the reconciliation) and the state that
// records their fetch go after all of them are acknowledged, together in
// one request (summarise). Neither of those two depends on the other: a
// run that fails between them is run again, and a replay of the event
// that wrote the state asks for the same range (planner.paramValue).

// minPerPart is the fewest records worth a goroutine of their own.
const minPerPart = 128

// convertPage converts and encodes the records of a page into messages in
// page order. Converting is most of the fetcher's CPU and a link's pages
// come one after another: with fewer pages being converted than cores (one
// link's history, the usual backfill), one goroutine per page left cores
// idle while the listing and Kafka waited for it, so the page is split over
// the cores the other pages leave. Splitting when every core already has a
// page made bench-fetcher slower at many workers, hence the count.
//
// The messages' values live in the returned arenas, to be released once
// Kafka has acknowledged them all.
func (f *Fetcher) convertPage(ev Event, call Call, out *output, p belvo.Page, lineage records.Lineage) ([]broker.Message, []*pageArena) {
	busy := int(f.converting.Add(1))
	defer f.converting.Add(-1)
	msgs := make([]broker.Message, len(p.Records))
	parts := min(runtime.GOMAXPROCS(0)/busy, len(p.Records)/minPerPart)
	if parts <= 1 {
		arena := newPageArena(p.Records)
		f.convertRange(ev, call, out, p, lineage, arena, msgs, 0, len(p.Records))
		return msgs, []*pageArena{arena}
	}
	size := (len(p.Records) + parts - 1) / parts
	arenas := make([]*pageArena, 0, parts)
	var wg sync.WaitGroup
	for start := 0; start < len(p.Records); start += size {
		end := min(start+size, len(p.Records))
		arena := newPageArena(p.Records[start:end])
		arenas = append(arenas, arena)
		wg.Go(func() { f.convertRange(ev, call, out, p, lineage, arena, msgs, start, end) })
	}
	wg.Wait()
	return msgs, arenas
}

// convertRange fills msgs[start:end] from the page's records of the same
// indexes into arena, which is the range's own: it is not safe to share.
//
// A record of a resource privacy covers is rewritten before it is
// converted, so that the raw JSON and every typed field read from it (and
// the id derived from it) carry the protected values only. A record the
// protector cannot read has no protected form: it is dead-lettered without
// its bytes.
func (f *Fetcher) convertRange(ev Event, call Call, out *output, p belvo.Page, lineage records.Lineage, arena *pageArena, msgs []broker.Message, start, end int) {
	for i := start; i < end; i++ {
		raw, err := p.Records[i], error(nil)
		if out.protect != nil {
			raw, err = out.protect.Record(call.Resource.Name, raw)
		}
		if err == nil {
			msgs[i], err = out.pageRecord(arena, raw, lineage)
		}
		if err != nil {
			// One bad record must not hold back its page or its link.
			msgs[i] = f.deadLetterRecord(ev, call, p.Number, i, raw, err)
		}
	}
}

// produce sends msgs in one request and returns once Kafka acknowledged
// every one. fetcher_records_published_total counts what is not state.
func (f *Fetcher) produce(ctx context.Context, msgs []broker.Message) error {
	if len(msgs) == 0 {
		return nil
	}
	if err := f.producer.ProduceAll(ctx, msgs); err != nil {
		return err
	}
	for _, m := range msgs {
		if m.Topic != f.state.topic {
			f.metrics.records.WithLabelValues(m.Topic).Inc()
		}
	}
	return nil
}

// errorEvent is the message of ev's error_events fact: its typed fields
// written from the event's values, its raw the envelope.
func (f *Fetcher) errorEvent(ev Event, code, message string, lineage records.Lineage) (broker.Message, error) {
	return f.outputs[factErrors].values(records.Values{
		"event_key": ev.key(), "webhook_id": ev.WebhookID, "webhook_type": ev.Type, "webhook_code": ev.Code, "process_type": optional(ev.ProcessType),
		"error_code": optional(code), "error_message": optional(message), "received_at": ev.ReceivedAt,
	}, ev.envelope(code, message), lineage)
}

// publishFact publishes the fact of an event whose typed fields are read
// from its envelope (link and consent events: their data's members).
func (f *Fetcher) publishFact(ctx context.Context, table string, raw []byte, lineage records.Lineage) error {
	msg, err := f.outputs[table].record(nil, raw, lineage)
	if err != nil {
		return &planError{err}
	}
	return f.produce(ctx, []broker.Message{msg})
}

// summarise publishes, once every record of ev's plan is acknowledged, the
// reconciliation fact of the fetched count (when the event announced one)
// and the plan's state, in one request; the state is applied here once
// Kafka has it.
func (f *Fetcher) summarise(ctx context.Context, ev Event, pl Plan, fetched int, lineage records.Lineage) error {
	var msgs []broker.Message
	matched := false
	if pl.HasCount {
		matched = fetched == pl.Announced
		if !pl.Exact {
			matched = fetched >= pl.Announced
		}
		// Written from the values (raw is their JSON), not marshalled and
		// scanned back. event_key is the fact's key: one per event, not
		// per webhook_id; exact false means the fetch selects a superset,
		// and matched then means fetched >= announced.
		msg, err := f.outputs[factReconciliations].values(records.Values{
			"event_key": ev.key(), "webhook_id": ev.WebhookID, "link_id": ev.LinkID, "resource": pl.Resource,
			"webhook_code": ev.Code, "announced": pl.Announced, "fetched": fetched, "matched": matched, "exact": pl.Exact,
		}, nil, lineage)
		if err != nil {
			return &planError{err}
		}
		msgs = append(msgs, msg)
	}
	if pl.State != nil {
		msgs = append(msgs, f.state.message(pl.State.Key, pl.State.Entry))
	}
	if pl.Forget != "" {
		msgs = append(msgs, f.state.tombstone(pl.Forget))
	}
	if err := f.produce(ctx, msgs); err != nil {
		return fmt.Errorf("publish the summary of webhook %s: %w", ev.WebhookID, err)
	}
	if pl.State != nil {
		f.state.stored(pl.State.Key, pl.State.Entry)
	}
	if pl.Forget != "" {
		f.state.forgotten(pl.Forget)
	}
	if pl.HasCount {
		f.metrics.reconciled.WithLabelValues(pl.Resource, strconv.FormatBool(matched)).Inc()
		f.metrics.drift.WithLabelValues(pl.Resource).Set(float64(fetched - pl.Announced))
		if !matched {
			f.log.Warn("reconciliation mismatch", "webhook_id", ev.WebhookID, "event_key", ev.key(), "resource", pl.Resource,
				"code", ev.Code, "announced", pl.Announced, "fetched", fetched)
		}
	}
	return nil
}
