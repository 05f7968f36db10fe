package sink

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

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
	// linkEvents marks link_events, whose link_deleted facts purge a link.
	linkEvents bool
	// resource is set for the tables whose rows fastRows may build: every
	// records table but link_events, whose purges read the decoded record.
	resource *schemas.Resource
}

func newTable(db, name string, columns []string, row func([]any, map[string]any, records.Position) ([]any, error)) *table {
	quoted := make([]string, len(columns))
	off, link := -1, -1
	for i, c := range columns {
		quoted[i] = schemas.QuoteIdent(c)
		switch c {
		case schemas.ColumnOffset:
			off = i
		case schemas.FieldLinkID:
			link = i
		}
	}
	return &table{
		name:      name,
		columns:   columns,
		insert:    "INSERT INTO " + schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(name) + " (" + strings.Join(quoted, ", ") + ")",
		row:       row,
		offsetCol: off,
		linkCol:   link,
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
		t.linkEvents = r.Name == linkEventsTable
		if !t.linkEvents {
			t.resource = &r
		}
		byTopic[r.Topic(prefix)] = t
		order = append(order, t)
	}
	events := newTable(db, "webhook_events", webhookEventColumns, webhookEventRow)
	for _, e := range schemas.Catalogue {
		byTopic[schemas.WebhookTopic(prefix, e.Type)] = events
	}
	status := newTable(db, "institution_status", institutionStatusColumns, institutionStatusRow)
	byTopic[schemas.WebhookTopic(prefix, schemas.InstitutionStatusType)] = status
	// Flush order: resources, then facts (link_events purges what the
	// resources just loaded), then the audit tables.
	return byTopic, append(order, events, status), nil
}

const linkEventsTable = "link_events"

var webhookEventColumns = []string{
	"webhook_id", "webhook_type", "webhook_code", "process_type", "link_id", "request_id", "external_id",
	"data", "errors_code", "errors_message", "extra", "received_at", "ingest_request_id", "origin",
	schemas.ColumnTopic, schemas.ColumnPartition, schemas.ColumnOffset, schemas.ColumnVersion,
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

func webhookEventRow(dst []any, n map[string]any, pos records.Position) ([]any, error) {
	var f fields
	id := f.str(n, "webhook_id")
	received := f.time(n, "received_at")
	codes, messages := f.recordArray(n, "errors", "code", "message")
	dst = append(dst[:0], id, f.str(n, "webhook_type"), f.str(n, "webhook_code"), f.opt(n, "process_type"),
		f.str(n, "link_id"), f.opt(n, "request_id"), f.opt(n, "external_id"), f.str(n, "data"),
		codes, messages, f.opt(n, "extra"), received, f.str(n, "ingest_request_id"), origin(n),
		pos.Topic, pos.Partition, pos.Offset, firstWins(received))
	if f.err == nil && id == "" {
		f.err = errors.New("webhook_id is empty")
	}
	return dst, f.wrap("webhook event")
}

// origin reads the envelope's origin; records written before the field
// existed came from Belvo's webhooks.
func origin(n map[string]any) string {
	if o, ok := n["origin"].(string); ok && o != "" {
		return o
	}
	return schemas.OriginWebhook
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

// recordArray reads an array of records (possibly a nullable union of one)
// into one slice per member: the <field>_<member> columns.
func (f *fields) recordArray(n map[string]any, name string, members ...string) ([]*string, []*string) {
	v := n[name]
	if m, ok := v.(map[string]any); ok {
		v = m["array"]
	}
	items, ok := v.([]any)
	if v != nil && !ok {
		f.fail(name, v)
	}
	cols := make([][]*string, len(members))
	for i := range cols {
		cols[i] = make([]*string, 0, len(items))
	}
	for _, it := range items {
		rec, ok := it.(map[string]any)
		if !ok {
			f.fail(name, it)
			continue
		}
		for i, m := range members {
			cols[i] = append(cols[i], f.optValue(name+"."+m, rec[m]))
		}
	}
	return cols[0], cols[1]
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
