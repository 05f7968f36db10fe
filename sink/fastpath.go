package sink

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/twmb/franz-go/pkg/sr"

	"github.com/finflow/belvo-pipeline/internal/avrofast"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// fastRows turns resource records into rows with avrofast: no goavro map
// per record and per union value, which was most of the sink's own cost
// (BenchmarkDecodeRow). A plan is compiled once per table and writer
// schema id, from the writer schema the registry holds under that id, so
// a record written with an older or newer schema version decodes with its
// own schema, as goavro would.
//
// It only ever answers with a row goavro and records.Row would have made
// too. Whatever it does not handle goes the goavro way, which then also
// decides retry versus dead letter: a writer schema it cannot decode
// exactly (plan nil), a table whose rows need more than columns (link
// purges, webhook audit arrays), malformed bytes, an empty id or a fetch
// time before 1970.
//
// Not safe for concurrent use: the sink reads on one goroutine.
type fastRows struct {
	reg    *registry.Client // the sink's own client: one set of credentials, one connection pool
	header sr.ConfluentHeader
	plans  map[fastKey]*fastPlan
}

type fastKey struct {
	t  *table
	id int
}

func newFastRows(reg *registry.Client) (*fastRows, error) {
	if reg == nil {
		return nil, errors.New("fast rows: no registry client")
	}
	return &fastRows{reg: reg, plans: map[fastKey]*fastPlan{}}, nil
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
	plan, known := f.plans[fastKey{t, id}]
	if !known {
		text, err := f.reg.SchemaText(ctx, id)
		if err != nil {
			if !transientDecode(err) {
				f.plans[fastKey{t, id}] = nil
			}
			return nil, false
		}
		plan, _ = newFastPlan(t, text) // nil when unsupported: goavro then
		f.plans[fastKey{t, id}] = plan
	}
	if plan == nil {
		return nil, false
	}
	return plan.row(body, pos)
}

// fastPlan decodes one writer schema into the rows of one resource table,
// in the order of its columns, with the values records.Row gives.
type fastPlan struct {
	proj      *avrofast.Projection
	width     int
	id        int // slots of the columns filled or checked after decoding
	raw       int
	fetchedAt int
	topic     int
	partition int
	offset    int
	version   int
	isDeleted int
}

// wantOf mirrors schemas.Kind.AvroBranch: the one Avro type each kind is
// written as, and the Go value records.Row makes of it.
var wantOf = map[schemas.Kind]avrofast.Want{
	schemas.String:    avrofast.WantString,
	schemas.Enum:      avrofast.WantString,
	schemas.Int:       avrofast.WantLong,
	schemas.Float:     avrofast.WantDouble,
	schemas.Bool:      avrofast.WantBoolean,
	schemas.Decimal:   avrofast.WantDecimal,
	schemas.Date:      avrofast.WantDate,
	schemas.Timestamp: avrofast.WantTimestamp,
}

func newFastPlan(t *table, writerSchema string) (*fastPlan, error) {
	if t.resource == nil {
		return nil, fmt.Errorf("%w: %s is not a resource table", avrofast.ErrUnsupported, t.name)
	}
	if avrofast.DecimalScale != schemas.DecimalScale {
		return nil, fmt.Errorf("%w: decimal scale %d, columns %d", avrofast.ErrUnsupported, avrofast.DecimalScale, schemas.DecimalScale)
	}
	writer, err := avrofast.Parse(writerSchema)
	if err != nil {
		return nil, err
	}
	kinds := map[string]schemas.Kind{}
	for _, f := range t.resource.Fields {
		kinds[f.Name] = f.Kind
	}
	p := &fastPlan{width: len(t.columns)}
	cols := make([]avrofast.Column, len(t.columns))
	slots := map[string]*int{
		schemas.FieldID: &p.id, schemas.FieldRaw: &p.raw, schemas.FieldFetchedAt: &p.fetchedAt,
		schemas.ColumnTopic: &p.topic, schemas.ColumnPartition: &p.partition, schemas.ColumnOffset: &p.offset,
		schemas.ColumnVersion: &p.version, schemas.ColumnIsDeleted: &p.isDeleted,
	}
	found := 0
	for i, name := range t.columns {
		if s := slots[name]; s != nil {
			*s = i
			found++
		}
		switch name {
		case schemas.FieldID, schemas.FieldLinkID:
			cols[i] = avrofast.Column{Name: name, Want: avrofast.WantString}
		case schemas.FieldRaw, schemas.FieldWebhookID, schemas.FieldRequestID:
			cols[i] = avrofast.Column{Name: name, Want: avrofast.WantString, Nullable: true, Optional: true}
		case schemas.FieldFetchedAt:
			cols[i] = avrofast.Column{Name: name, Want: avrofast.WantTimestamp}
		case schemas.ColumnIsDeleted:
			// Decoded as the record's deleted flag, then made the UInt8.
			cols[i] = avrofast.Column{Name: schemas.FieldDeleted, Want: avrofast.WantBoolean, Optional: true}
		case schemas.ColumnTopic, schemas.ColumnPartition, schemas.ColumnOffset, schemas.ColumnVersion:
			// Filled from the position and the fetch time.
		default:
			k, ok := kinds[name]
			w, known := wantOf[k]
			if !ok || !known {
				return nil, fmt.Errorf("%w: column %s of %s", avrofast.ErrUnsupported, name, t.name)
			}
			cols[i] = avrofast.Column{Name: name, Want: w, Nullable: true, Optional: true}
		}
	}
	if found != len(slots) {
		return nil, fmt.Errorf("%w: %s lacks a lineage column", avrofast.ErrUnsupported, t.name)
	}
	if p.proj, err = avrofast.Project(writer, cols); err != nil {
		return nil, err
	}
	return p, nil
}

var unixEpoch = time.Unix(0, 0)

func (p *fastPlan) row(body []byte, pos records.Position) ([]any, bool) {
	row := make([]any, p.width)
	// Strings alias the message: kafka-go reads every value into a slice of
	// its own, nothing writes to it, and the batch keeps the message until
	// its flush anyway (to dead-letter a row ClickHouse refuses). Copying
	// the 7 KB raw JSON of a transaction cost a third of its decoding.
	if err := p.proj.DecodeShared(body, row); err != nil {
		return nil, false
	}
	if id, _ := row[p.id].(string); id == "" {
		return nil, false
	}
	fetched := row[p.fetchedAt].(time.Time)
	if fetched.Before(unixEpoch) {
		return nil, false
	}
	if row[p.raw] == nil {
		row[p.raw] = "" // the column is not Nullable, as in records.Row
	}
	var deleted uint8
	if d, _ := row[p.isDeleted].(bool); d {
		deleted = 1
	}
	row[p.topic], row[p.partition], row[p.offset] = pos.Topic, pos.Partition, pos.Offset
	row[p.version], row[p.isDeleted] = uint64(fetched.UnixMicro()), deleted
	return row, true
}
