package ingest

import (
	"encoding/binary"

	"github.com/finflow/belvo-pipeline/schemas"
)

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
