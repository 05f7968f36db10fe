package sink

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
)

// fastRows turns resource records into rows with records.RowDecoder: no
// goavro map per record and per union value, which was most of the sink's
// own cost (BenchmarkDecodeRow). A decoder is compiled once per table and
// writer schema id, from the writer schema the registry holds under that
// id.
//
// It only ever answers with a row goavro and records.Row would have made
// too. Whatever it does not handle goes the goavro way, which then also
// decides retry versus dead letter: a writer schema the decoder cannot
// decode exactly (nil), a table whose rows need more than columns (link
// purges, webhook audit arrays), malformed bytes, an empty id or a fetch
// time before 1970.
//
// Not safe for concurrent use: the sink reads on one goroutine.
type fastRows struct {
	reg      *registry.Client // the sink's own client: one set of credentials, one connection pool
	header   sr.ConfluentHeader
	decoders map[fastKey]*records.RowDecoder
}

type fastKey struct {
	t  *table
	id int
}

func newFastRows(reg *registry.Client) (*fastRows, error) {
	if reg == nil {
		return nil, errors.New("fast rows: no registry client")
	}
	return &fastRows{reg: reg, decoders: map[fastKey]*records.RowDecoder{}}, nil
}

// row returns the row of msg for t, or ok false when the goavro path must
// decide.
func (f *fastRows) row(ctx context.Context, t *table, msg []byte, pos records.Position) (row []any, ok bool) {
	if t.resource == nil {
		return nil, false
	}
	id, body, err := f.header.DecodeID(msg)
	if err != nil {
		return nil, false
	}
	dec, known := f.decoders[fastKey{t, id}]
	if !known {
		text, err := f.reg.SchemaText(ctx, id)
		if err != nil {
			if !transientDecode(err) {
				f.decoders[fastKey{t, id}] = nil
			}
			return nil, false
		}
		dec, _ = newDecoder(t, text) // nil when unsupported: goavro then
		f.decoders[fastKey{t, id}] = dec
	}
	if dec == nil {
		return nil, false
	}
	return dec.Row(body, pos)
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
