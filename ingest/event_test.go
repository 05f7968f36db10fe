package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/linkedin/goavro/v2"

	"github.com/finflow/belvo-pipeline/internal/jsontext"
	"github.com/finflow/belvo-pipeline/internal/seeds"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// typedErrors skips data without an "errors" member quickly; an escaped
// spelling of the name must still be found.
func TestTypedErrorsFindsTheListHoweverItsNameIsWritten(t *testing.T) {
	for data, want := range map[string]int{
		`{"errors":[{"code":"a"},{"code":"b"}]}`:           2,
		`{"err\u006frs":[{"code":"a"}]}`:                   1,
		`{"note":"\"quoted\"","errors":[{"message":"m"}]}`: 1,
		`{"new_transactions":3}`:                           0,
		`{"note":"no errors here"}`:                        0,
	} {
		if got := len(typedErrors([]byte(data))); got != want {
			t.Errorf("%s: %d errors, want %d", data, got, want)
		}
	}
}

// eachMember must agree with encoding/json on every valid object: same keys,
// same raw value bytes (modulo surrounding space, which json trims too).
func checkAgainstEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	checkRefusal(t, body)
	if !json.Valid(body) {
		// eachMember is the validation now: it must refuse too.
		var se *jsontext.SyntaxError
		if err := eachMember(body, func(_, _ []byte) error { return nil }); !errors.As(err, &se) {
			t.Fatalf("%q: eachMember err %v on invalid JSON, want a syntax error", body, err)
		}
		return
	}
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal(body, &want)
	got := map[string][]byte{}
	// encoding/json decodes each invalid UTF-8 byte of a key to U+FFFD;
	// eachMember hands unescaped keys over as they are (no Belvo member
	// name has such bytes, so none is mistaken for one): compare keys as
	// encoding/json reads them.
	err := eachMember(body, func(k, raw []byte) error { got[string([]rune(string(k)))] = raw; return nil })
	if (err != nil) != (wantErr != nil) {
		t.Fatalf("%q: eachMember err %v, encoding/json err %v", body, err, wantErr)
	}
	if err != nil {
		return
	}
	if len(got) != len(want) {
		t.Fatalf("%q: %d members, want %d", body, len(got), len(want))
	}
	for k, v := range want {
		if !bytes.Equal(got[k], v) {
			t.Fatalf("%q: member %q = %q, want %q", body, k, got[k], v)
		}
	}
}

// checkRefusal pins what parseWebhook answers about the body's JSON since
// eachMember's walk replaced a json.Valid pass: it refuses what json.Valid
// refuses, in the same words, and then valid JSON that is not UTF-8.
func checkRefusal(t *testing.T, body []byte) {
	t.Helper()
	_, err := parseWebhook(body, "req-1", time.Unix(0, 0))
	var br *badRequest
	refused := errors.As(err, &br) && br.Code == "invalid_json"
	if !json.Valid(body) {
		var v any
		if want := jsonProblem(body, json.Unmarshal(body, &v)); !refused || br.Msg != want {
			t.Fatalf("%q: parseWebhook %v, want invalid_json %q", body, err, want)
		}
		return
	}
	object := bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{"))
	if object && !utf8.Valid(body) {
		if !refused || !strings.HasPrefix(br.Msg, "the body is not UTF-8: byte 0x") {
			t.Fatalf("%q: not UTF-8, answered %v", body, err)
		}
		return
	}
	if refused == object || refused && br.Msg != errNotObject.Error() {
		t.Fatalf("%q: valid JSON (an object: %v) answered %v", body, object, err)
	}
}

func TestEachMemberAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : "x\"}" , "b":[1,{"c":"]"}], "d":null,"e":true,"f":-1.5e3}`,
		`{"k\u00e9y":"v\\","n":{"deep":{"er":[[]]}}}`, "{\n\t\"a\"\n:\n\"b\"\n}", `[1]`, `"str"`, `12`,
		// Refused bodies, and invalid UTF-8, which json.Valid lets through.
		``, ` `, `{`, `{"webhook_id": "x",`, `[1,2`, `{"a":1}}`, `{"a":1} x`, `{"a" 1}`, `{"a":01}`, `{"a":"\x"}`,
		"{\"webhook_id\":\"\xff\",\"link_id\":\"caf\xe9\"}", "\xef\xbb\xbf{}",
		`{"a":` + strings.Repeat("[", 9998) + strings.Repeat("]", 9998) + `}`,
		`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	}
	for _, c := range cases {
		checkAgainstEncodingJSON(t, []byte(c))
	}
	exs, err := seeds.Webhooks(testenv.Root(t)+"/../shared/seeds", "000_", "002_")
	if err != nil {
		t.Fatal(err)
	}
	for _, ex := range exs {
		checkAgainstEncodingJSON(t, ex.JSON)
	}
}

func FuzzEachMember(f *testing.F) {
	f.Add([]byte(`{"webhook_id":"a","data":{"x":[1,"]"]}}`))
	f.Add([]byte(`{"a":"\"","b":{}}`))
	f.Add([]byte(`{"webhook_id":"a","webhook_type":"T","webhook_code":"c","link_id":"L","data":{"errors":[{"code":"x"}]}}`))
	f.Add([]byte("{\"webhook_id\":\"\xff\\n\",\"data\":[1,}"))
	f.Fuzz(func(t *testing.T, body []byte) { checkAgainstEncodingJSON(t, body) })
}

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
		t.Fatal("a field of schemas.Envelope has no writer in ingest/event.go (or another shape): ingest fell back to goavro")
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
