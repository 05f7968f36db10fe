package sink

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

// table is one ClickHouse table the sink loads and how a decoded Avro
// record becomes its row.
type table struct {
	name    string
	columns []string // inserted columns, in row order
	insert  string   // INSERT INTO db.t (columns): never a bare INSERT INTO t
	row     func(dst []any, native map[string]any, pos records.Position) ([]any, error)
	// offsetCol is the index of the offset column in a row.
	offsetCol int
	// linkCol is the index of the link_id column, -1 when there is none.
	linkCol int
	// unfitCol is the index of the unfit_fields column, -1 when there is none.
	unfitCol int
	// linkEvents marks link_events, whose link_deleted facts purge a link.
	linkEvents bool
	// resource is set for the tables whose records writerSchemas.decoder
	// may decode: every records table but link_events, whose purges read
	// the decoded record.
	resource *schemas.Resource
	// types are the inserted columns' ClickHouse types, from the schemas
	// the tables are created from, nil when the sink does not know them:
	// clickhouse-go over HTTP otherwise asks the engine (DESCRIBE TABLE)
	// before every insert.
	types []clickhouse.ColumnNameAndType
	// lastRows is the size of its last batch (pending.sized), a capacity
	// hint for the next; consume's goroutine alone uses it.
	lastRows int
}

func newTable(db, name string, columns []string, row func([]any, map[string]any, records.Position) ([]any, error)) *table {
	quoted := make([]string, len(columns))
	off, link, unfit := -1, -1, -1
	for i, c := range columns {
		quoted[i] = schemas.QuoteIdent(c)
		switch c {
		case schemas.ColumnOffset:
			off = i
		case schemas.FieldLinkID:
			link = i
		case schemas.FieldUnfit:
			unfit = i
		}
	}
	return &table{
		name:      name,
		columns:   columns,
		insert:    "INSERT INTO " + schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(name) + " (" + strings.Join(quoted, ", ") + ")",
		row:       row,
		offsetCol: off,
		linkCol:   link,
		unfitCol:  unfit,
	}
}

// routes maps every topic the sink reads to its table: the record topics of
// schemas.Tables(), each webhook topic of the catalogue to webhook_events,
// and the institution-status topic to institution_status.
func routes(db, prefix string) (map[string]*table, []*table, error) {
	byTopic := map[string]*table{}
	var order []*table
	for _, r := range schemas.Tables() {
		conv, err := records.New(r)
		if err != nil {
			return nil, nil, err
		}
		var cols []string
		for _, c := range r.InsertColumns() {
			cols = append(cols, c.Name)
		}
		t := newTable(db, r.Name, cols, conv.Row)
		t.types = columnTypes(r.InsertColumns())
		t.linkEvents = r.Name == linkEventsTable
		if !t.linkEvents {
			t.resource = &r
		}
		byTopic[r.Topic(prefix)] = t
		order = append(order, t)
	}
	events := newTable(db, schemas.WebhookEventsTable, webhookEventColumns, webhookEventRow)
	events.types = columnTypes(webhookEventColumnsTyped())
	// The webhook topics ingest and the fetcher create at start, from the
	// same list: one missing here would join the group only when discovery
	// found it, re-joining and stalling every partition for seconds.
	for _, t := range schemas.WebhookTopics(prefix) {
		byTopic[t] = events
	}
	status := newTable(db, "institution_status", institutionStatusColumns, institutionStatusRow)
	byTopic[schemas.WebhookTopic(prefix, schemas.InstitutionStatusType)] = status
	// Flush order: resources, then facts (link_events purges what the
	// resources just loaded), then the audit tables.
	return byTopic, append(order, events, status), nil
}

const linkEventsTable = "link_events"

// webhookEventColumns are the columns of webhook_events the sink inserts:
// those the envelope's description gives (schemas.EnvelopeColumns), less
// the ones the server fills.
var webhookEventColumns = func() []string {
	var cols []string
	for _, c := range webhookEventColumnsTyped() {
		cols = append(cols, c.Name)
	}
	return cols
}()

func webhookEventColumnsTyped() []schemas.Column {
	var cols []schemas.Column
	for _, c := range schemas.EnvelopeColumns() {
		if c.Default == "" {
			cols = append(cols, c)
		}
	}
	return cols
}

func columnTypes(cols []schemas.Column) []clickhouse.ColumnNameAndType {
	out := make([]clickhouse.ColumnNameAndType, len(cols))
	for i, c := range cols {
		out[i] = clickhouse.ColumnNameAndType{Name: c.Name, Type: c.Type}
	}
	return out
}

var institutionStatusColumns = []string{
	"event_key", "page_id", "incident_id", "incident_name", "incident_status", "incident_updated_at",
	"components_id", "components_name", "components_status", "payload", "received_at", "ingest_request_id",
	schemas.ColumnTopic, schemas.ColumnPartition, schemas.ColumnOffset, schemas.ColumnVersion,
}

// firstWins is the version of an audit row: it falls as received_at grows,
// so the replacing engine keeps an event's first delivery (migration 0002).
func firstWins(received time.Time) uint64 {
	return uint64(math.MaxInt64 - received.UnixMicro())
}

// webhookEventRow is the row of a webhook record: the envelope's values in
// its description's order, then the lineage columns, named.
func webhookEventRow(dst []any, n map[string]any, pos records.Position) ([]any, error) {
	ev, err := schemas.DecodeWebhookEvent(n)
	if err != nil {
		return dst, fmt.Errorf("webhook event: %w", err)
	}
	if ev.WebhookID == "" {
		return dst, errors.New("webhook event: webhook_id is empty")
	}
	dst = ev.Values(dst[:0])
	for _, c := range webhookEventColumns[len(dst):] {
		switch c {
		case schemas.ColumnTopic:
			dst = append(dst, pos.Topic)
		case schemas.ColumnPartition:
			dst = append(dst, pos.Partition)
		case schemas.ColumnOffset:
			dst = append(dst, pos.Offset)
		case schemas.ColumnVersion:
			dst = append(dst, firstWins(ev.ReceivedAt))
		default:
			return dst, fmt.Errorf("webhook event: no value for column %s", c)
		}
	}
	return dst, nil
}

func institutionStatusRow(dst []any, n map[string]any, pos records.Position) ([]any, error) {
	var f fields
	key := f.str(n, "event_key")
	received := f.time(n, "received_at")
	ids, names, statuses := f.components(n)
	dst = append(dst[:0], key, f.opt(n, "page_id"), f.opt(n, "incident_id"), f.opt(n, "incident_name"),
		f.opt(n, "incident_status"), f.opt(n, "incident_updated_at"), ids, names, statuses,
		f.str(n, "payload"), received, f.str(n, "ingest_request_id"),
		pos.Topic, pos.Partition, pos.Offset, firstWins(received))
	if f.err == nil && key == "" {
		f.err = errors.New("event_key is empty")
	}
	return dst, f.wrap("institution status")
}

// fields reads a goavro native record, keeping the first error so a row
// builder reads straight through and checks once.
type fields struct{ err error }

func (f *fields) fail(name string, v any) {
	if f.err == nil {
		f.err = fmt.Errorf("field %s: unexpected %T", name, v)
	}
}

func (f *fields) wrap(what string) error {
	if f.err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, f.err)
}

func (f *fields) str(n map[string]any, name string) string {
	s, ok := n[name].(string)
	if !ok {
		f.fail(name, n[name])
	}
	return s
}

func (f *fields) time(n map[string]any, name string) time.Time {
	t, ok := n[name].(time.Time)
	if !ok {
		f.fail(name, n[name])
	}
	return t.UTC()
}

// opt reads a ["null","string"] union as a *string (nil for null).
func (f *fields) opt(n map[string]any, name string) *string {
	return f.optValue(name, n[name])
}

func (f *fields) optValue(name string, v any) *string {
	if v == nil {
		return nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		f.fail(name, v)
		return nil
	}
	s, ok := m["string"].(string)
	if !ok {
		f.fail(name, m)
		return nil
	}
	return &s
}

func (f *fields) components(n map[string]any) (ids, names, statuses []*string) {
	items, ok := n["components"].([]any)
	if n["components"] != nil && !ok {
		f.fail("components", n["components"])
	}
	for _, it := range items {
		rec, ok := it.(map[string]any)
		if !ok {
			f.fail("components", it)
			continue
		}
		ids = append(ids, f.optValue("components.id", rec["id"]))
		names = append(names, f.optValue("components.name", rec["name"]))
		statuses = append(statuses, f.optValue("components.status", rec["status"]))
	}
	if ids == nil {
		ids, names, statuses = []*string{}, []*string{}, []*string{}
	}
	return ids, names, statuses
}
