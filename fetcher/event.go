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
	// EventKey tells apart events Belvo sent under one webhook_id
	// (schemas.EventKey); a retry has the same.
	EventKey string
}

// WebhookError is one entry of data.errors.
type WebhookError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// decodeEvent reads the native value of a WebhookEvent record, of any
// version of the envelope (schemas.DecodeWebhookEvent).
func decodeEvent(native any) (Event, error) {
	w, err := schemas.DecodeWebhookEvent(native)
	if err != nil {
		return Event{}, err
	}
	ev := Event{WebhookID: w.WebhookID, Type: w.WebhookType, Code: w.WebhookCode, ProcessType: deref(w.ProcessType),
		LinkID: w.LinkID, RequestID: deref(w.RequestID), ExternalID: w.ExternalID, Data: json.RawMessage(w.Data),
		ReceivedAt: w.ReceivedAt, IngestRequestID: w.IngestRequestID, Origin: w.Origin, EventKey: w.EventKey}
	if !json.Valid(ev.Data) {
		return Event{}, fmt.Errorf("webhook %s: data is not JSON", ev.WebhookID)
	}
	if w.Extra != nil && json.Valid([]byte(*w.Extra)) {
		ev.Extra = json.RawMessage(*w.Extra)
	}
	for _, e := range w.Errors {
		ev.Errors = append(ev.Errors, WebhookError{Code: deref(e.Code), Message: deref(e.Message)})
	}
	if len(ev.Errors) == 0 {
		// Ingest types data.errors when it is a list of objects; an errors
		// member of another shape still marks an error event.
		ev.Errors = dataErrors(ev.Data)
	}
	return ev, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
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
