package sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/linkedin/goavro/v2"
	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
)

// writerSchemas is the sink's one way from a record to its writer schema:
// each schema id is fetched from the registry once (through the sink's only
// client) and serves both decoders, records.RowDecoder (compiled per table)
// and goavro (compiled on first need).
//
// A resource record becomes its row with the RowDecoder: no goavro map per
// record and per union value, which was most of the sink's own cost
// (BenchmarkDecodeRow). It only ever answers with a row goavro and
// records.Row would have made too. Whatever it does not handle goes the
// goavro way, which then also decides retry versus dead letter: a writer
// schema the decoder cannot decode exactly, a table whose rows need more
// than columns (link purges, webhook audit arrays), malformed bytes, an
// empty id or a fetch time before 1970.
//
// Not safe for concurrent use: the sink reads on one goroutine.
type writerSchemas struct {
	reg    *registry.Client
	header sr.ConfluentHeader
	byID   map[int]*writerSchema
}

// writerSchema is one schema id: its text, or why the registry will never
// give it (a 404); a registry that did not answer is asked again.
type writerSchema struct {
	text   string
	err    error
	goavro *goavro.Codec
	rows   map[*table]*records.RowDecoder // nil value: goavro serves the table
}

func newWriterSchemas(reg *registry.Client) (*writerSchemas, error) {
	if reg == nil {
		return nil, errors.New("writer schemas: no registry client")
	}
	return &writerSchemas{reg: reg, byID: map[int]*writerSchema{}}, nil
}

// schema returns the writer schema of id, fetching it the first time.
func (w *writerSchemas) schema(ctx context.Context, id int) (*writerSchema, error) {
	if s := w.byID[id]; s != nil {
		return s, s.err
	}
	text, err := w.reg.SchemaText(ctx, id)
	if err != nil && transientDecode(err) {
		return nil, err
	}
	s := &writerSchema{text: text, err: err, rows: map[*table]*records.RowDecoder{}}
	w.byID[id] = s
	return s, err
}

// decoder returns the decoder of msg's writer schema for t's rows and
// msg's Avro body, or nil when the goavro path must decide.
func (w *writerSchemas) decoder(ctx context.Context, t *table, msg []byte) (*records.RowDecoder, []byte) {
	if t.resource == nil {
		return nil, nil
	}
	id, body, err := w.header.DecodeID(msg)
	if err != nil {
		return nil, nil
	}
	s, err := w.schema(ctx, id)
	if err != nil {
		return nil, nil
	}
	dec, known := s.rows[t]
	if !known {
		dec, _ = newDecoder(t, s.text) // nil when unsupported: goavro then
		s.rows[t] = dec
	}
	if dec == nil {
		return nil, nil
	}
	return dec, body
}

// decode decodes msg with goavro and its writer schema. A *registry.
// SchemaFetchError is the registry's failure (see transientDecode); any
// other error is the message's.
func (w *writerSchemas) decode(ctx context.Context, msg []byte) (any, error) {
	id, body, err := w.header.DecodeID(msg)
	if err != nil {
		return nil, fmt.Errorf("not Confluent-framed Avro: %w", err)
	}
	s, err := w.schema(ctx, id)
	if err != nil {
		return nil, err
	}
	if s.goavro == nil {
		if s.goavro, err = goavro.NewCodec(s.text); err != nil {
			s.err = fmt.Errorf("compile schema %d: %w", id, err)
			return nil, s.err
		}
	}
	native, rest, err := s.goavro.NativeFromBinary(body)
	if err != nil {
		return nil, fmt.Errorf("decode schema %d: %w", id, err)
	}
	if len(rest) != 0 {
		return nil, fmt.Errorf("decode schema %d: %d trailing bytes", id, len(rest))
	}
	return native, nil
}

// newDecoder compiles the row decoder of t's records written with
// writerSchema; an error means the goavro path serves them.
func newDecoder(t *table, writerSchema string) (*records.RowDecoder, error) {
	if t.resource == nil {
		return nil, fmt.Errorf("%s is not a resource table", t.name)
	}
	conv, err := records.New(*t.resource)
	if err != nil {
		return nil, err
	}
	return conv.RowDecoder(writerSchema)
}
