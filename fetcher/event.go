package fetcher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Event is one webhook as ingest stored it (schemas.WebhookEventSchema),
// decoded from its Avro native value.
type Event struct {
	WebhookID       string
	Type            string
	Code            string
	ProcessType     string // "" when Belvo omitted it
	LinkID          string
	RequestID       string // "" when absent
	ExternalID      *string
	Data            json.RawMessage // the exact JSON text of data; "null" when null
	Errors          []WebhookError
	Extra           json.RawMessage // members outside the envelope, or nil
	ReceivedAt      time.Time
	IngestRequestID string
	Origin          string // schemas.OriginWebhook, OriginBackfill or OriginSweep
}

// WebhookError is one entry of data.errors.
type WebhookError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// decodeEvent reads the native value of a WebhookEvent record. Unions come
// as nil or a one-entry map keyed by the branch, as goavro decodes them.
func decodeEvent(native any) (Event, error) {
	m, ok := native.(map[string]any)
	if !ok {
		return Event{}, fmt.Errorf("webhook event is a %T, not a record", native)
	}
	var ev Event
	var err error
	str := func(name string) string {
		if err != nil {
			return ""
		}
		s, ok := m[name].(string)
		if !ok {
			err = fmt.Errorf("webhook event field %s is %T, not a string", name, m[name])
		}
		return s
	}
	ev.WebhookID = str("webhook_id")
	ev.Type = str("webhook_type")
	ev.Code = str("webhook_code")
	ev.LinkID = str("link_id")
	data := str("data")
	ev.IngestRequestID = str("ingest_request_id")
	if err != nil {
		return Event{}, err
	}
	ev.Data = json.RawMessage(data)
	if !json.Valid(ev.Data) {
		return Event{}, fmt.Errorf("webhook %s: data is not JSON", ev.WebhookID)
	}
	ev.ProcessType, _ = union(m["process_type"]).(string)
	ev.RequestID, _ = union(m["request_id"]).(string)
	if s, ok := union(m["external_id"]).(string); ok {
		ev.ExternalID = &s
	}
	if s, ok := union(m["extra"]).(string); ok && json.Valid([]byte(s)) {
		ev.Extra = json.RawMessage(s)
	}
	// Events written before the origin field came from Belvo.
	ev.Origin = schemas.OriginWebhook
	if o, ok := m["origin"].(string); ok && o != "" {
		ev.Origin = o
	}
	if t, ok := m["received_at"].(time.Time); ok {
		ev.ReceivedAt = t.UTC()
	}
	if list, ok := union(m["errors"]).([]any); ok {
		for _, item := range list {
			e, _ := item.(map[string]any)
			code, _ := union(e["code"]).(string)
			msg, _ := union(e["message"]).(string)
			ev.Errors = append(ev.Errors, WebhookError{Code: code, Message: msg})
		}
	}
	if len(ev.Errors) == 0 {
		// Ingest types data.errors when it is a list of objects; an errors
		// member of another shape still marks an error event.
		ev.Errors = dataErrors(ev.Data)
	}
	return ev, nil
}

func union(v any) any {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for _, inner := range m {
			return inner
		}
	}
	return v
}

// dataErrors returns a placeholder error when data has a non-null errors
// member ingest could not type, so the event is still recorded, not fetched.
func dataErrors(data json.RawMessage) []WebhookError {
	if len(data) == 0 || data[0] != '{' {
		return nil
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return nil
	}
	raw, ok := top["errors"]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return []WebhookError{{Code: "unparsed_errors", Message: string(raw)}}
}

// envelope is the raw JSON of the facts made from an event: the webhook as
// Belvo sent it with data embedded byte for byte, plus received_at and, for
// error events, the first error's code and message at the top level, where
// the facts' typed fields (schemas.Facts) read them.
func (ev Event) envelope(errCode, errMessage string) []byte {
	var b bytes.Buffer
	b.Grow(256 + len(ev.Data) + len(ev.Extra))
	member := func(name string, v any) {
		if b.Len() == 0 {
			b.WriteByte('{')
		} else {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(name)
		b.Write(k)
		b.WriteByte(':')
		if raw, ok := v.(json.RawMessage); ok {
			b.Write(raw)
			return
		}
		val, _ := json.Marshal(v) // strings and nil only: cannot fail
		b.Write(val)
	}
	member("webhook_id", ev.WebhookID)
	member("webhook_type", ev.Type)
	member("process_type", optional(ev.ProcessType))
	member("webhook_code", ev.Code)
	member("link_id", ev.LinkID)
	member("request_id", optional(ev.RequestID))
	member("external_id", ev.ExternalID)
	data := ev.Data
	if len(data) == 0 {
		data = json.RawMessage("null")
	}
	member("data", data)
	if len(ev.Extra) > 0 {
		member("extra", ev.Extra)
	}
	member("received_at", ev.ReceivedAt.UTC().Format(time.RFC3339Nano))
	if errCode != "" || errMessage != "" {
		member("error_code", optional(errCode))
		member("error_message", optional(errMessage))
	}
	b.WriteByte('}')
	return b.Bytes()
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
