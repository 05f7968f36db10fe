package schemas

import (
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// WebhookEventSchema is the Avro schema of the belvo.webhooks.<type> topics.
//
//go:embed avro/webhook_event.avsc
var WebhookEventSchema string

// Origins of a webhook event (its origin field): how it reached the
// pipeline. Events older than the field decode with the default, webhook.
const (
	OriginWebhook  = "webhook"  // Belvo sent it to ingest
	OriginBackfill = "backfill" // the pipeline made it to fetch a link's history
	OriginSweep    = "sweep"    // the pipeline made it to catch what no webhook announced
)

// InstitutionStatusSchema is the Avro schema of the institution-status topic.
//
//go:embed avro/institution_status.avsc
var InstitutionStatusSchema string

// InstitutionStatusType is the pseudo webhook type whose topic carries
// institution-status events.
const InstitutionStatusType = "institution_status"

var topicUnsafe = regexp.MustCompile(`[^a-z0-9_-]+`)

// WebhookTopic returns the topic of events of webhookType under prefix:
// <prefix>.webhooks.<type in lower case>, characters Kafka refuses in topic
// names replaced. Only catalogue types (and institution status) have such a
// topic: a type the catalogue lacks goes to UnknownWebhookTopic, so that no
// sender can make the pipeline create topics.
func WebhookTopic(prefix, webhookType string) string {
	t := topicUnsafe.ReplaceAllString(strings.ToLower(webhookType), "_")
	// Kafka topic names are at most 249 characters.
	if max := 200 - len(prefix); len(t) > max && max > 0 {
		t = t[:max]
	}
	return prefix + ".webhooks." + t
}

// WebhookTopicPrefix returns the common prefix of every webhook topic.
func WebhookTopicPrefix(prefix string) string { return prefix + ".webhooks." }

// UnknownWebhookTopic returns the one topic of webhooks whose webhook_type is
// not in the catalogue (a type Belvo added, or a sender's mistake). Its
// events keep their webhook_type: the fetcher records each as an
// unknown_webhook error event and the sink audits it like any other.
func UnknownWebhookTopic(prefix string) string { return WebhookTopicPrefix(prefix) + "unknown" }

// IsCatalogueType reports whether webhookType, spelt exactly as Belvo sends
// it, has a row in the catalogue (and so a topic of its own).
func IsCatalogueType(webhookType string) bool { return catalogueTypes[webhookType] }

var catalogueTypes = func() map[string]bool {
	m := map[string]bool{}
	for _, e := range Catalogue {
		m[e.Type] = true
	}
	return m
}()

// WebhookTypes returns the catalogue's webhook types, each once, in
// catalogue order.
func WebhookTypes() []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range Catalogue {
		if !seen[e.Type] {
			seen[e.Type] = true
			out = append(out, e.Type)
		}
	}
	return out
}

// WebhookTopics returns every topic the fetcher reads: one per catalogue
// type, then the unknown-type topic (institution status is not among them).
// Ingest and the fetcher both create them at start, so the fetcher's group
// subscribes to all of them from its first join, whichever role starts first.
func WebhookTopics(prefix string) []string {
	var out []string
	for _, t := range WebhookTypes() {
		out = append(out, WebhookTopic(prefix, t))
	}
	return append(out, UnknownWebhookTopic(prefix))
}

// Subject returns the schema-registry subject of a topic's values
// (Confluent's TopicNameStrategy).
func Subject(topic string) string { return topic + "-value" }

// WebhookEvent is one webhook envelope as Go values: the value of a
// belvo.webhooks.<type> record and the row of webhook_events. Envelope
// describes its fields once; the Avro schema, the goavro native value, its
// decoding and the table's columns are all derived from that description.
type WebhookEvent struct {
	WebhookID       string
	WebhookType     string
	WebhookCode     string
	ProcessType     *string
	LinkID          string
	RequestID       *string
	ExternalID      *string
	Data            string // the exact JSON text of data; "null" when null
	Errors          []WebhookError
	Extra           *string // a JSON object of members outside the envelope
	ReceivedAt      time.Time
	IngestRequestID string
	Origin          string
	EventKey        string
}

// WebhookError is one typed entry of data.errors.
type WebhookError struct{ Code, Message *string }

// EnvelopeField is one field of the webhook envelope: an Avro field of
// WebhookEventSchema and a column of webhook_events (or, for an array of
// records, one array column per member, <field>_<member>).
type EnvelopeField struct {
	Name string
	Kind Kind // String, Enum (LowCardinality in ClickHouse) or Timestamp
	// Required fields are never null: a plain Avro type, a non-Nullable
	// column. The others are ["null", T] unions with default null.
	Required bool
	// Default is the Avro default (JSON) of a required field added after
	// the first release, so the new schema still reads older records.
	Default string
	Doc     string
	// Items are the members of an array of records (a nullable array).
	Items []EnvelopeField

	event func(*WebhookEvent) any // pointer to the field's value
	item  func(*WebhookError) any // pointer to a member's value, for Items
}

// Envelope is the webhook envelope, in Avro field order. Appending a field
// needs a Default (or Required false) to stay BACKWARD compatible, and a
// migration adding its column to webhook_events.
var Envelope = []EnvelopeField{
	{Name: "webhook_id", Kind: String, Required: true, Doc: "Belvo's id of the event; the same on every retry of one event (and, in Belvo's own examples, on different events).",
		event: func(e *WebhookEvent) any { return &e.WebhookID }},
	{Name: "webhook_type", Kind: Enum, Required: true, Doc: "The resource, upper case (ACCOUNTS, TRANSACTIONS, LINK, ...), as sent.",
		event: func(e *WebhookEvent) any { return &e.WebhookType }},
	{Name: "webhook_code", Kind: Enum, Required: true, Doc: "The event (historical_update, new_transactions_available, ...), as sent.",
		event: func(e *WebhookEvent) any { return &e.WebhookCode }},
	{Name: "process_type", Kind: Enum, Doc: "historical_update, recurrent_update, async_post or async_delete; null when Belvo omitted it.",
		event: func(e *WebhookEvent) any { return &e.ProcessType }},
	{Name: "link_id", Kind: String, Required: true, Doc: "The link the event is about; also the Kafka key. Not validated as a UUID: Belvo's own examples are not always valid UUIDs.",
		event: func(e *WebhookEvent) any { return &e.LinkID }},
	{Name: "request_id", Kind: String, Doc: "Belvo's request id when the event answers a request (async POST, refresh).",
		event: func(e *WebhookEvent) any { return &e.RequestID }},
	{Name: "external_id", Kind: String, Doc: "The caller-supplied id, or null.",
		event: func(e *WebhookEvent) any { return &e.ExternalID }},
	{Name: "data", Kind: String, Required: true, Doc: "The exact JSON text of the webhook's data member, byte for byte (the text null when it was null).",
		event: func(e *WebhookEvent) any { return &e.Data }},
	{Name: "errors", Doc: "data.errors of an error event, typed; null when the event carries no errors.",
		event: func(e *WebhookEvent) any { return &e.Errors },
		Items: []EnvelopeField{
			{Name: "code", Kind: Enum, item: func(w *WebhookError) any { return &w.Code }},
			{Name: "message", Kind: String, item: func(w *WebhookError) any { return &w.Message }},
		}},
	{Name: "extra", Kind: String, Doc: "A JSON object of any top-level members outside the documented envelope, so nothing sent is lost; null when there were none.",
		event: func(e *WebhookEvent) any { return &e.Extra }},
	{Name: "received_at", Kind: Timestamp, Required: true, Doc: "When ingest accepted the request.",
		event: func(e *WebhookEvent) any { return &e.ReceivedAt }},
	{Name: "ingest_request_id", Kind: String, Required: true, Doc: "Ingest's request id (X-Request-Id), also returned to the sender.",
		event: func(e *WebhookEvent) any { return &e.IngestRequestID }},
	{Name: "origin", Kind: Enum, Required: true, Default: `"` + OriginWebhook + `"`, Doc: "How the event reached the pipeline: webhook (Belvo sent it to ingest), backfill or sweep (the pipeline made it itself to fetch what no webhook announced).",
		event: func(e *WebhookEvent) any { return &e.Origin }},
	{Name: "event_key", Kind: String, Required: true, Default: `""`, Doc: "The event's identity: webhook_id, a colon and a hash of its content (EventKey). Retries of one event share it; different events under one webhook_id do not. Empty in records written before the field: readers then compute it.",
		event: func(e *WebhookEvent) any { return &e.EventKey }},
}

// EventKey identifies one event: webhook_id, ':' and 16 hex digits of the
// SHA-256 of its content (type, code, link, process type, request id,
// external id and the exact text of data, NUL-separated, null as empty).
// A retry resends the same content and gets the same key; Belvo's examples
// reuse one webhook_id for different events (yearly and monthly tax
// returns), which get different keys. Migration 0005 computes the same key
// in SQL for the rows loaded before it, so both must change together.
func EventKey(e *WebhookEvent) string {
	// One buffer hashed at once: writing each string to a hash.Hash copied
	// it first (the interface has no WriteString), and ingest computes a
	// key for every webhook.
	var stack [1024]byte
	content := stack[:0]
	for i, s := range [...]string{e.WebhookType, e.WebhookCode, e.LinkID, deref(e.ProcessType), deref(e.RequestID), deref(e.ExternalID), e.Data} {
		if i > 0 {
			content = append(content, 0)
		}
		content = append(content, s...)
	}
	sum := sha256.Sum256(content)
	var digits [16]byte
	hex.Encode(digits[:], sum[:8])
	return e.WebhookID + ":" + string(digits[:])
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Native returns e as goavro's native value of WebhookEventSchema: unions as
// nil or a one-entry map keyed by the branch.
func (e *WebhookEvent) Native() map[string]any {
	m := make(map[string]any, len(Envelope))
	for _, f := range Envelope {
		switch p := f.event(e).(type) {
		case *string:
			m[f.Name] = *p
		case **string:
			m[f.Name] = optionalNative(*p)
		case *time.Time:
			m[f.Name] = *p
		case *[]WebhookError:
			if *p == nil {
				m[f.Name] = nil
				continue
			}
			items := make([]any, len(*p))
			for i := range *p {
				rec := make(map[string]any, len(f.Items))
				for _, it := range f.Items {
					rec[it.Name] = optionalNative(*it.item(&(*p)[i]).(**string))
				}
				items[i] = rec
			}
			m[f.Name] = map[string]any{"array": items}
		}
	}
	return m
}

func optionalNative(s *string) any {
	if s == nil {
		return nil
	}
	return map[string]any{"string": *s}
}

// DecodeWebhookEvent reads goavro's native value of a webhook record written
// with any version of WebhookEventSchema: a field the writer lacked takes
// its default, and a missing event key is computed.
func DecodeWebhookEvent(native any) (WebhookEvent, error) {
	m, ok := native.(map[string]any)
	if !ok {
		return WebhookEvent{}, fmt.Errorf("webhook event is a %T, not a record", native)
	}
	var e WebhookEvent
	for _, f := range Envelope {
		v, present := m[f.Name]
		if !present && f.Default != "" {
			var def any
			if err := json.Unmarshal([]byte(f.Default), &def); err != nil {
				return WebhookEvent{}, fmt.Errorf("webhook event field %s: default %s: %w", f.Name, f.Default, err)
			}
			v = def
		}
		if err := decodeField(f.event(&e), f, v); err != nil {
			return WebhookEvent{}, err
		}
	}
	if e.EventKey == "" {
		e.EventKey = EventKey(&e)
	}
	return e, nil
}

func decodeField(dst any, f EnvelopeField, v any) error {
	wrong := func() error { return fmt.Errorf("webhook event field %s is %T, not a %s", f.Name, v, f.Kind) }
	switch p := dst.(type) {
	case *string:
		s, ok := v.(string)
		if !ok {
			return wrong()
		}
		*p = s
	case **string:
		if v == nil {
			return nil
		}
		s, ok := unionBranch(v).(string)
		if !ok {
			return wrong()
		}
		*p = &s
	case *time.Time:
		t, ok := v.(time.Time)
		if !ok {
			return wrong()
		}
		*p = t.UTC()
	case *[]WebhookError:
		if v == nil {
			return nil
		}
		list, ok := unionBranch(v).([]any)
		if !ok {
			return wrong()
		}
		*p = make([]WebhookError, len(list))
		for i, item := range list {
			rec, ok := item.(map[string]any)
			if !ok {
				return fmt.Errorf("webhook event field %s: item is %T, not a record", f.Name, item)
			}
			for _, it := range f.Items {
				if err := decodeField(it.item(&(*p)[i]), it, rec[it.Name]); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// unionBranch unwraps goavro's {branch: value} form of a union value.
func unionBranch(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

// EnvelopeAvroSchema returns WebhookEventSchema as generated from Envelope
// (avro/webhook_event.avsc, kept equal by a golden test).
func EnvelopeAvroSchema() string {
	field := func(f EnvelopeField) avroField {
		var typ any = "string"
		if f.Kind == Timestamp {
			typ = avroTimestamp()
		}
		if f.Items != nil {
			members := make([]avroField, len(f.Items))
			for i, it := range f.Items {
				members[i] = avroField{Name: it.Name, Doc: it.Doc, Type: []any{"null", "string"}, Default: json.RawMessage("null")}
			}
			typ = map[string]any{"type": "array", "items": avroRecord{Type: "record", Name: "WebhookError", Namespace: envelopeNamespace, Doc: "One entry of data.errors.", Fields: members}}
		}
		out := avroField{Name: f.Name, Doc: f.Doc, Type: typ}
		switch {
		case !f.Required:
			out.Type, out.Default = []any{"null", typ}, json.RawMessage("null")
		case f.Default != "":
			out.Default = json.RawMessage(f.Default)
		}
		return out
	}
	fields := make([]avroField, len(Envelope))
	for i, f := range Envelope {
		fields[i] = field(f)
	}
	out, err := json.MarshalIndent(avroRecord{Type: "record", Name: "WebhookEvent", Namespace: envelopeNamespace,
		Doc:    "One Belvo data webhook as received by ingest. data keeps the exact JSON text of the webhook's data member; the typed fields are conveniences derived from the same request.",
		Fields: fields}, "", "  ")
	if err != nil {
		panic("schemas: marshal the envelope's Avro schema: " + err.Error())
	}
	return string(out) + "\n"
}

const envelopeNamespace = "com.finflow.belvo.events"

// WebhookEventsTable is the table of webhook events.
const WebhookEventsTable = "webhook_events"

// EnvelopeColumns returns the columns of webhook_events in table order:
// one per envelope field (one per member of an array of records), then the
// load and Kafka lineage and the replacing engine's version.
func EnvelopeColumns() []Column {
	var cols []Column
	for _, f := range Envelope {
		if f.Items != nil {
			for _, it := range f.Items {
				cols = append(cols, Column{Name: f.Name + "_" + it.Name, Type: "Array(" + envelopeColumnType(it) + ")"})
			}
			continue
		}
		cols = append(cols, Column{Name: f.Name, Type: envelopeColumnType(f)})
	}
	return append(cols,
		Column{Name: ColumnLoadedAt, Type: "DateTime64(6, 'UTC')", Default: "now64(6)"},
		Column{Name: ColumnTopic, Type: "LowCardinality(String)"},
		Column{Name: ColumnPartition, Type: "Int32"},
		Column{Name: ColumnOffset, Type: "Int64"},
		Column{Name: ColumnVersion, Type: "UInt64"},
	)
}

func envelopeColumnType(f EnvelopeField) string {
	t := f.Kind.ClickHouseType()
	if f.Required {
		t = strings.Replace(t, "Nullable(", "", 1)
		t = t[:len(t)-1]
	}
	return t
}

// Values appends the values of e's columns (EnvelopeColumns up to the
// lineage) to dst, in column order, as the ClickHouse client takes them.
func (e *WebhookEvent) Values(dst []any) []any {
	for _, f := range Envelope {
		switch p := f.event(e).(type) {
		case *string:
			dst = append(dst, *p)
		case **string:
			dst = append(dst, *p)
		case *time.Time:
			dst = append(dst, *p)
		case *[]WebhookError:
			for _, it := range f.Items {
				col := make([]*string, len(*p))
				for i := range *p {
					col[i] = *it.item(&(*p)[i]).(**string)
				}
				dst = append(dst, col)
			}
		}
	}
	return dst
}

// WebhookEventsTableBody is the part of webhook_events' CREATE TABLE after
// its name: the columns of EnvelopeColumns, the engine and the key. One
// row per event_key: a retry replaces it, and version falls as received_at
// grows, so the row that survives is the first delivery.
func WebhookEventsTableBody(cluster string) string {
	var b strings.Builder
	writeColumnList(&b, EnvelopeColumns())
	if cluster == "" {
		b.WriteString("ENGINE = ReplacingMergeTree(" + QuoteIdent(ColumnVersion) + ")\n")
	} else {
		b.WriteString("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', " + QuoteIdent(ColumnVersion) + ")\n")
	}
	b.WriteString("ORDER BY (" + QuoteIdent("event_key") + ")\n")
	if cluster == "" {
		b.WriteString("SETTINGS non_replicated_deduplication_window = " + strconv.Itoa(DedupWindow))
	} else {
		b.WriteString("SETTINGS replicated_deduplication_window = " + strconv.Itoa(DedupWindow))
	}
	return b.String()
}
