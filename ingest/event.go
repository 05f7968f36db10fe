package ingest

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// badRequest is a 400 answer: what was wrong, and with which field.
type badRequest struct {
	Code  string // invalid_json, missing_field, invalid_field
	Field string
	Msg   string
}

func (e *badRequest) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Msg
	}
	return e.Msg
}

// webhook is a parsed Belvo data webhook.
type webhook struct {
	ID, Type, Code, LinkID string
	// Key is the event's identity (schemas.EventKey): what dedup and the
	// downstream tables tell events apart by.
	Key   string
	event schemas.WebhookEvent
}

// encode appends the event's Avro value, in the wire format of codec.
func (w *webhook) encode(dst []byte, codec *registry.Codec) ([]byte, error) {
	if v, ok := appendEvent(codec.AppendHeader(dst), &w.event); ok {
		return v, nil
	}
	return codec.Append(dst, w.event.Native())
}

// parseWebhook checks a Belvo webhook body and builds its Avro native value.
// It accepts the quirks listed in webhooks.md: process_type, request_id and
// external_id may be absent or null, link ids need not be UUIDs, unknown
// types and codes pass.
func parseWebhook(body []byte, requestID string, received time.Time) (*webhook, error) {
	var env struct {
		id, typ, code, link, process, request, external, data []byte
		extra                                                 [][2][]byte
	}
	err := eachMember(body, func(key, raw []byte) error {
		switch string(key) {
		case "webhook_id":
			env.id = raw
		case "webhook_type":
			env.typ = raw
		case "webhook_code":
			env.code = raw
		case "link_id":
			env.link = raw
		case "process_type":
			env.process = raw
		case "request_id":
			env.request = raw
		case "external_id":
			env.external = raw
		case "data":
			env.data = raw
		default:
			env.extra = append(env.extra, [2][]byte{key, raw})
		}
		return nil
	})
	if err != nil {
		return nil, &badRequest{Code: "invalid_json", Msg: bodyProblem(body, err)}
	}
	if msg := notUTF8(body); msg != "" {
		return nil, &badRequest{Code: "invalid_json", Msg: msg}
	}
	ev := schemas.WebhookEvent{ReceivedAt: received, IngestRequestID: requestID, Origin: schemas.OriginWebhook}
	if ev.WebhookID, err = requiredString("webhook_id", env.id); err != nil {
		return nil, err
	}
	if ev.WebhookType, err = requiredString("webhook_type", env.typ); err != nil {
		return nil, err
	}
	if ev.WebhookCode, err = requiredString("webhook_code", env.code); err != nil {
		return nil, err
	}
	if ev.LinkID, err = requiredString("link_id", env.link); err != nil {
		return nil, err
	}
	if ev.ProcessType, err = optionalString("process_type", env.process); err != nil {
		return nil, err
	}
	if ev.RequestID, err = optionalString("request_id", env.request); err != nil {
		return nil, err
	}
	if ev.ExternalID, err = optionalString("external_id", env.external); err != nil {
		return nil, err
	}
	data := env.data
	if data == nil {
		// Belvo documents data as required but nullable; an absent member is
		// stored as null rather than refused, so no event is lost over it.
		data = []byte("null")
	}
	switch {
	case string(data) == "null":
	case data[0] == '{':
		ev.Errors = typedErrors(data)
	default:
		return nil, &badRequest{Code: "invalid_field", Field: "data", Msg: "must be a JSON object or null"}
	}
	ev.Data = string(data)
	ev.Extra = extraMembers(env.extra)
	ev.EventKey = schemas.EventKey(&ev)
	return &webhook{ID: ev.WebhookID, Type: ev.WebhookType, Code: ev.WebhookCode, LinkID: ev.LinkID, Key: ev.EventKey, event: ev}, nil
}

func requiredString(name string, raw []byte) (string, error) {
	if raw == nil || string(raw) == "null" {
		return "", &badRequest{Code: "missing_field", Field: name, Msg: "is required"}
	}
	s, err := stringValue(raw)
	if err != nil {
		return "", &badRequest{Code: "invalid_field", Field: name, Msg: "must be a string"}
	}
	if s == "" {
		return "", &badRequest{Code: "invalid_field", Field: name, Msg: "must not be empty"}
	}
	return s, nil
}

// optionalString returns a nullable string member, nil for null.
func optionalString(name string, raw []byte) (*string, error) {
	if raw == nil || string(raw) == "null" {
		return nil, nil
	}
	s, err := stringValue(raw)
	if err != nil {
		return nil, &badRequest{Code: "invalid_field", Field: name, Msg: "must be a string or null"}
	}
	return &s, nil
}

// typedErrors extracts data.errors of an error event. Entries that do not
// have the documented shape are skipped here; data keeps them verbatim.
// Only error events pay for decoding: other data is scanned, not decoded.
func typedErrors(data []byte) []schemas.WebhookError {
	// Most webhooks carry no errors: without the name, written plainly or
	// with escapes, data need not be walked.
	if !bytes.Contains(data, []byte(`errors`)) && bytes.IndexByte(data, '\\') < 0 {
		return nil
	}
	var list []byte
	_ = eachMember(data, func(key, raw []byte) error {
		if string(key) == "errors" {
			list = raw
		}
		return nil
	})
	if list == nil || list[0] != '[' {
		return nil
	}
	var errs []map[string]any
	if json.Unmarshal(list, &errs) != nil {
		return nil
	}
	items := make([]schemas.WebhookError, 0, len(errs))
	for _, e := range errs {
		items = append(items, schemas.WebhookError{Code: stringOrNil(e["code"]), Message: stringOrNil(e["message"])})
	}
	return items
}

func stringOrNil(v any) *string {
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// extraMembers keeps members outside the documented envelope as a JSON
// object, in the order sent.
func extraMembers(extra [][2][]byte) *string {
	if len(extra) == 0 {
		return nil
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range extra {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(string(kv[0]))
		b.Write(kb)
		b.WriteByte(':')
		b.Write(kv[1])
	}
	b.WriteByte('}')
	out := b.String()
	return &out
}

// bodyProblem is the message of eachMember's refusal. A syntax error is
// described in encoding/json's words, as it was when a json.Valid pass came
// first: senders may match on them. Only refused bodies pay for the second
// parse.
func bodyProblem(body []byte, err error) string {
	var se *jsontext.SyntaxError
	if !errors.As(err, &se) {
		return err.Error()
	}
	var v any
	if uerr := json.Unmarshal(body, &v); uerr != nil {
		return jsonProblem(body, uerr)
	}
	// Unreachable while jsontext refuses only what json.Valid refuses,
	// which a fuzz test holds it to.
	return se.Error()
}

// notUTF8 describes where a body is not UTF-8, or returns "". JSON between
// systems must be UTF-8 (RFC 8259), and the event goes out in Avro strings,
// which must be too: encoding/json and goavro let bad bytes through, and a
// consumer in Python then cannot decode the record. Refused like bad JSON,
// before anything is published.
func notUTF8(body []byte) string {
	if utf8.Valid(body) {
		return ""
	}
	for i := 0; i < len(body); {
		r, n := utf8.DecodeRune(body[i:])
		if r == utf8.RuneError && n == 1 {
			return fmt.Sprintf("the body is not UTF-8: byte 0x%02x at byte %d", body[i], i)
		}
		i += n
	}
	return "the body is not UTF-8"
}

// jsonProblem describes a syntax error with its byte offset, so the sender
// can find it in the body it logged.
func jsonProblem(body []byte, err error) string {
	if se, ok := err.(*json.SyntaxError); ok {
		return fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, se)
	}
	if te, ok := err.(*json.UnmarshalTypeError); ok && te.Field == "" {
		return "the body must be a JSON object"
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return "empty body"
	}
	return "invalid JSON: " + err.Error()
}

// statusEvent is a parsed institution-status webhook.
type statusEvent struct {
	Key    string
	native map[string]any
}

// parseStatus reads statuspage.io's payload: either an incident update or a
// component update. It has no webhook_id; incident.id with updated_at (or
// the component id with the update's time) identifies one update.
func parseStatus(body []byte, requestID string, received time.Time) (*statusEvent, error) {
	var p struct {
		Page struct {
			ID *string `json:"id"`
		} `json:"page"`
		Incident *struct {
			ID         *string          `json:"id"`
			Name       *string          `json:"name"`
			Status     *string          `json:"status"`
			UpdatedAt  *string          `json:"updated_at"`
			Components []statusEntryRaw `json:"components"`
		} `json:"incident"`
		Component       *statusEntryRaw `json:"component"`
		ComponentUpdate *struct {
			CreatedAt   *string `json:"created_at"`
			ComponentID *string `json:"component_id"`
		} `json:"component_update"`
	}
	if err := json.Unmarshal(body, &p); err != nil {
		var top map[string]json.RawMessage
		if json.Unmarshal(body, &top) != nil {
			return nil, &badRequest{Code: "invalid_json", Msg: jsonProblem(body, err)}
		}
		return nil, &badRequest{Code: "invalid_field", Msg: "unexpected member type: " + err.Error()}
	}
	if msg := notUTF8(body); msg != "" {
		return nil, &badRequest{Code: "invalid_json", Msg: msg}
	}
	native := map[string]any{
		"page_id":             ptrUnion(p.Page.ID),
		"incident_id":         nil,
		"incident_name":       nil,
		"incident_status":     nil,
		"incident_updated_at": nil,
		"payload":             string(body),
		"received_at":         received,
		"ingest_request_id":   requestID,
	}
	var key string
	var comps []statusEntryRaw
	switch {
	case p.Incident != nil:
		if p.Incident.ID == nil || *p.Incident.ID == "" {
			return nil, &badRequest{Code: "missing_field", Field: "incident.id", Msg: "is required"}
		}
		key = *p.Incident.ID + "@" + deref(p.Incident.UpdatedAt)
		native["incident_id"] = ptrUnion(p.Incident.ID)
		native["incident_name"] = ptrUnion(p.Incident.Name)
		native["incident_status"] = ptrUnion(p.Incident.Status)
		native["incident_updated_at"] = ptrUnion(p.Incident.UpdatedAt)
		comps = p.Incident.Components
	case p.Component != nil:
		if p.Component.ID == nil || *p.Component.ID == "" {
			return nil, &badRequest{Code: "missing_field", Field: "component.id", Msg: "is required"}
		}
		at := ""
		if p.ComponentUpdate != nil {
			at = deref(p.ComponentUpdate.CreatedAt)
		}
		key = *p.Component.ID + "@" + at
		comps = []statusEntryRaw{*p.Component}
	default:
		return nil, &badRequest{Code: "missing_field", Field: "incident", Msg: "an institution-status webhook carries an incident or a component"}
	}
	items := make([]any, 0, len(comps))
	for _, c := range comps {
		items = append(items, map[string]any{"id": ptrUnion(c.ID), "name": ptrUnion(c.Name), "status": ptrUnion(c.Status)})
	}
	native["components"] = items
	native["event_key"] = key
	return &statusEvent{Key: key, native: native}, nil
}

type statusEntryRaw struct {
	ID     *string `json:"id"`
	Name   *string `json:"name"`
	Status *string `json:"status"`
}

func ptrUnion(s *string) any {
	if s == nil {
		return nil
	}
	return goavro.Union("string", *s)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// Why not json.Unmarshal into a map: it copies and re-scans every member and
// made parsing most of ingest's CPU and allocations per webhook. Ingest needs the raw bytes of each top-level member (data must be
// kept byte for byte anyway) and a few strings, so one pass validates the
// body as json.Valid would and finds the member boundaries.

var errNotObject = errors.New("the body must be a JSON object")

// eachMember calls fn with every top-level member of a JSON object: its key
// (unescaped; the body's own bytes when it has no escape, so fn must copy
// what it keeps past the body) and the exact bytes of its value. It accepts what json.Valid
// accepts; a body it refuses fails with a *jsontext.SyntaxError, valid JSON
// other than an object with errNotObject. The walk is one pass, so fn may
// have seen the members before a syntax error.
func eachMember(body []byte, fn func(key, raw []byte) error) error {
	i := jsontext.SkipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		end, err := jsontext.Skip(body, i, jsontext.MaxDepth)
		if err == nil {
			err = trailing(body, end)
		}
		if err != nil {
			return err
		}
		return errNotObject
	}
	i = jsontext.SkipSpace(body, i+1)
	if i < len(body) && body[i] == '}' {
		return trailing(body, i+1)
	}
	for {
		name, escaped, at, err := jsontext.Member(body, i)
		if err != nil {
			return err
		}
		// The object is open around each value.
		end, err := jsontext.Skip(body, at, jsontext.MaxDepth-1)
		if err != nil {
			return err
		}
		key := name
		if escaped {
			key = jsontext.AppendUnquoted(make([]byte, 0, len(name)), name)
		}
		if err := fn(key, body[at:end]); err != nil {
			return err
		}
		i = jsontext.SkipSpace(body, end)
		if i >= len(body) {
			return &jsontext.SyntaxError{Offset: i, Msg: "unexpected end in an object"}
		}
		switch body[i] {
		case ',':
			i = jsontext.SkipSpace(body, i+1)
		case '}':
			return trailing(body, i+1)
		default:
			return &jsontext.SyntaxError{Offset: i, Msg: "expected ',' or '}' in an object"}
		}
	}
}

// trailing refuses anything but whitespace after the body's value at i,
// as json.Valid does.
func trailing(body []byte, i int) error {
	if i = jsontext.SkipSpace(body, i); i != len(body) {
		return &jsontext.SyntaxError{Offset: i, Msg: "data after the JSON value"}
	}
	return nil
}

// stringValue unescapes a JSON string literal; the common unescaped case
// costs one copy.
func stringValue(lit []byte) (string, error) {
	if len(lit) < 2 || lit[0] != '"' {
		return "", errNotString
	}
	inner := lit[1 : len(lit)-1]
	return unquote(inner, bytes.IndexByte(inner, '\\') >= 0), nil
}

// unquote is the value of a string given between its quotes. One without
// escapes is kept byte for byte, invalid UTF-8 included, as ingest always
// has; an escaped one is decoded as json.Unmarshal would.
func unquote(s []byte, escaped bool) string {
	if !escaped {
		return string(s)
	}
	return string(jsontext.AppendUnquoted(make([]byte, 0, len(s)), s))
}

var errNotString = errors.New("not a string")

// Why not goavro for the envelope: its encoder takes a map of native values
// (one map per record and one per non-null union), which made building and
// encoding the value most of ingest's allocations per webhook. The envelope
// is a flat record of strings, nullable strings, one nullable array and a
// timestamp, so ingest writes its binary form directly. The writers are
// picked by field name in schemas.Envelope's order, and each states the
// shape it writes: a field it does not know, or whose shape changed, leaves
// envelopeWriters nil and ingest encodes through goavro as before. A test
// holds the bytes equal to goavro's.

type fieldWriter struct {
	kind     schemas.Kind
	required bool
	write    func(dst []byte, e *schemas.WebhookEvent) []byte
}

var fieldWriters = map[string]fieldWriter{
	"webhook_id":        {schemas.String, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.WebhookID) }},
	"webhook_type":      {schemas.Enum, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.WebhookType) }},
	"webhook_code":      {schemas.Enum, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.WebhookCode) }},
	"process_type":      {schemas.Enum, false, func(d []byte, e *schemas.WebhookEvent) []byte { return avroOptional(d, e.ProcessType) }},
	"link_id":           {schemas.String, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.LinkID) }},
	"request_id":        {schemas.String, false, func(d []byte, e *schemas.WebhookEvent) []byte { return avroOptional(d, e.RequestID) }},
	"external_id":       {schemas.String, false, func(d []byte, e *schemas.WebhookEvent) []byte { return avroOptional(d, e.ExternalID) }},
	"data":              {schemas.String, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.Data) }},
	"errors":            {errorsKind, false, avroErrors},
	"extra":             {schemas.String, false, func(d []byte, e *schemas.WebhookEvent) []byte { return avroOptional(d, e.Extra) }},
	"received_at":       {schemas.Timestamp, true, avroReceivedAt},
	"ingest_request_id": {schemas.String, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.IngestRequestID) }},
	"origin":            {schemas.Enum, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.Origin) }},
	"event_key":         {schemas.String, true, func(d []byte, e *schemas.WebhookEvent) []byte { return avroString(d, e.EventKey) }},
}

// errorsKind is the Kind of the one array field: the zero Kind, as the
// envelope leaves it for a field described by its Items.
var errorsKind schemas.Kind

// envelopeWriters are the writers of schemas.Envelope's fields in order, or
// nil when one is missing or has another shape.
var envelopeWriters = func() []func([]byte, *schemas.WebhookEvent) []byte {
	var out []func([]byte, *schemas.WebhookEvent) []byte
	for _, f := range schemas.Envelope {
		w, ok := fieldWriters[f.Name]
		if !ok || w.kind != f.Kind || w.required != f.Required {
			return nil
		}
		if f.Name == "errors" && !errorItemsKnown(f.Items) {
			return nil
		}
		out = append(out, w.write)
	}
	return out
}()

func errorItemsKnown(items []schemas.EnvelopeField) bool {
	return len(items) == 2 && items[0].Name == "code" && !items[0].Required &&
		items[1].Name == "message" && !items[1].Required
}

// appendEvent appends e in WebhookEventSchema's binary form; ok is false
// when ingest must use goavro instead (see envelopeWriters).
func appendEvent(dst []byte, e *schemas.WebhookEvent) (_ []byte, ok bool) {
	if envelopeWriters == nil {
		return dst, false
	}
	for _, w := range envelopeWriters {
		dst = w(dst, e)
	}
	return dst, true
}

func avroLong(dst []byte, v int64) []byte { return binary.AppendVarint(dst, v) }

func avroString(dst []byte, s string) []byte {
	return append(avroLong(dst, int64(len(s))), s...)
}

// avroOptional writes a ["null", "string"] union.
func avroOptional(dst []byte, s *string) []byte {
	if s == nil {
		return avroLong(dst, 0)
	}
	return avroString(avroLong(dst, 1), *s)
}

func avroErrors(dst []byte, e *schemas.WebhookEvent) []byte {
	if e.Errors == nil {
		return avroLong(dst, 0)
	}
	dst = avroLong(dst, 1)
	if len(e.Errors) > 0 {
		dst = avroLong(dst, int64(len(e.Errors)))
		for _, we := range e.Errors {
			dst = avroOptional(avroOptional(dst, we.Code), we.Message)
		}
	}
	return avroLong(dst, 0)
}

func avroReceivedAt(dst []byte, e *schemas.WebhookEvent) []byte {
	// As goavro computes timestamp-micros.
	return avroLong(dst, e.ReceivedAt.Unix()*1e6+int64(e.ReceivedAt.Nanosecond()/1e3))
}
