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
	// members are data's top-level members, parsed once by decodeEvent.
	members map[string]json.RawMessage
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
	// data is parsed here, once: the plan and the error check read members.
	if ev.members, err = parseData(ev.Data); err != nil {
		return Event{}, fmt.Errorf("webhook %s: %w", ev.WebhookID, err)
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
		ev.Errors = dataErrors(ev.members)
	}
	return ev, nil
}

// key is ev's event key: the decoded one, or for an event built otherwise
// the one ingest would have given it.
func (ev Event) key() string {
	if ev.EventKey != "" {
		return ev.EventKey
	}
	return schemas.EventKey(&schemas.WebhookEvent{WebhookID: ev.WebhookID, WebhookType: ev.Type, WebhookCode: ev.Code,
		ProcessType: optional(ev.ProcessType), LinkID: ev.LinkID, RequestID: optional(ev.RequestID), ExternalID: ev.ExternalID,
		Data: string(ev.Data)})
}

// parseData returns the top-level members of data (none for null).
func parseData(data json.RawMessage) (map[string]json.RawMessage, error) {
	if len(data) == 0 || bytes.Equal(data, []byte("null")) {
		return map[string]json.RawMessage{}, nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("data is not a JSON object: %w", err)
	}
	return m, nil
}

// dataMembers returns data's top-level members: those decodeEvent parsed,
// or, for an event built otherwise, parsed now.
func (ev Event) dataMembers() (map[string]json.RawMessage, error) {
	if ev.members != nil {
		return ev.members, nil
	}
	return parseData(ev.Data)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// dataErrors returns a placeholder error when data has a non-null errors
// member ingest could not type, so the event is still recorded, not fetched.
func dataErrors(members map[string]json.RawMessage) []WebhookError {
	raw, ok := members["errors"]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	return []WebhookError{{Code: "unparsed_errors", Message: string(raw)}}
}

// envelope is the raw JSON of the facts made from an event: the webhook as
// Belvo sent it with data embedded byte for byte, plus its event_key (the
// facts' id), received_at and, for error events, the first error's code and
// message at the top level, where the facts' typed fields (schemas.Facts)
// read them.
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
	member("event_key", ev.key())
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
