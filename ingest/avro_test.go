package ingest

import (
	"bytes"
	"testing"
	"time"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Bodies covering every shape the envelope writer has: nulls and absent
// members, an error event whose entries lack code or message, an empty
// errors list, members outside the envelope, escaped keys and non-ASCII.
var avroBodies = []string{
	string(benchBody),
	`{"webhook_id":"a","webhook_type":"LINKS","webhook_code":"login_error","link_id":"l","process_type":null,"request_id":null,` +
		`"data":{"errors":[{"code":"login_error","message":"Invalid credentials"},{"code":null},{"message":"só mensagem"},7,{}]}}`,
	`{"webhook_id":"b","webhook_type":"ACCOUNTS","webhook_code":"historical_update","link_id":"l","data":{"errors":[]}}`,
	`{"webhook_id":"c","webhook_type":"NEW_TYPE","webhook_code":"x","link_id":"l","data":null,"extra_member":[1,2],"\u0061bc":"d"}`,
	`{"webhook_id":"d","webhook_type":"OWNERS","webhook_code":"new_owner","link_id":"l","external_id":"ação ☃","request_id":"r"}`,
}

func goavroEncoding(t testing.TB, e *schemas.WebhookEvent) []byte {
	t.Helper()
	codec, err := goavro.NewCodec(schemas.WebhookEventSchema)
	if err != nil {
		t.Fatal(err)
	}
	want, err := codec.BinaryFromNative(nil, e.Native())
	if err != nil {
		t.Fatal(err)
	}
	return want
}

func TestEnvelopeWriterMatchesGoavro(t *testing.T) {
	if envelopeWriters == nil {
		t.Fatal("a field of schemas.Envelope has no writer in ingest/avro.go (or another shape): ingest fell back to goavro")
	}
	received := time.Date(2026, 12, 6, 4, 20, 0, 123456789, time.UTC)
	for _, body := range avroBodies {
		w, err := parseWebhook([]byte(body), "req-1", received)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		got, ok := appendEvent(nil, &w.event)
		if !ok {
			t.Fatal("appendEvent fell back to goavro")
		}
		if want := goavroEncoding(t, &w.event); !bytes.Equal(got, want) {
			t.Fatalf("%s:\n got % x\nwant % x", body, got, want)
		}
	}
}

func FuzzEnvelopeWriter(f *testing.F) {
	for _, b := range avroBodies {
		f.Add([]byte(b), int64(1796530000123456789))
	}
	f.Fuzz(func(t *testing.T, body []byte, nanos int64) {
		w, err := parseWebhook(body, "req-1", time.Unix(0, nanos).UTC())
		if err != nil {
			return
		}
		got, _ := appendEvent(nil, &w.event)
		if want := goavroEncoding(t, &w.event); !bytes.Equal(got, want) {
			t.Fatalf("%q:\n got % x\nwant % x", body, got, want)
		}
	})
}
