package belvo

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// reference decodes a page the way the splitter promises to: encoding/json
// into map[string]json.RawMessage (exact names, last one wins), then each
// member into the type the old envelope struct had.
func reference(body []byte) (envelope, error) {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil {
		return envelope{}, err
	}
	var env envelope
	if raw, ok := members["count"]; ok {
		if err := json.Unmarshal(raw, &env.count); err != nil {
			return envelope{}, err
		}
	}
	for _, name := range []string{"next", "previous"} {
		var s *string
		if raw, ok := members[name]; ok {
			if err := json.Unmarshal(raw, &s); err != nil {
				return envelope{}, err
			}
		}
		if name == "next" && s != nil {
			env.next = *s
		}
	}
	if raw, ok := members["results"]; ok {
		if err := json.Unmarshal(raw, &env.records); err != nil {
			return envelope{}, err
		}
	}
	return env, nil
}

func raws(s ...string) []json.RawMessage {
	out := make([]json.RawMessage, len(s))
	for i, r := range s {
		out[i] = json.RawMessage(r)
	}
	return out
}

// TestSplitPageDecodesTheEnvelope pins what a page decodes to, for the
// shapes Belvo sends and the odd ones JSON allows.
func TestSplitPageDecodesTheEnvelope(t *testing.T) {
	const next = "https://api.belvo.com/api/transactions/?page=2&page_size=1000"
	cases := []struct {
		name string
		body string
		want envelope
	}{
		{"belvo's order", `{"count":2,"next":"` + next + `","previous":null,"results":[{"id":"a"},{"id":"b"}]}`,
			envelope{count: 2, next: next, records: raws(`{"id":"a"}`, `{"id":"b"}`)}},
		{"results before next", `{"results":[{"id":"a"}],"previous":null,"next":"` + next + `","count":1}`,
			envelope{count: 1, next: next, records: raws(`{"id":"a"}`)}},
		{"last page", `{"count":1,"next":null,"previous":"` + next + `","results":[1]}`,
			envelope{count: 1, records: raws(`1`)}},
		{"empty results", `{"count":0,"next":null,"previous":null,"results":[]}`,
			envelope{records: []json.RawMessage{}}},
		{"null results", `{"count":0,"results":null}`, envelope{}},
		{"no results member", `{"count":3}`, envelope{count: 3}},
		{"empty object", `{}`, envelope{}},
		{"whitespace everywhere", " \t\r\n{ \"count\" : 2 ,\n\"results\" : [ {\"id\" : \"a\"} ,\n\t[ 1 , 2 ] ] } \n",
			envelope{count: 2, records: raws(`{"id" : "a"}`, `[ 1 , 2 ]`)}},
		{"nested arrays and objects in records", `{"results":[{"account":{"credit_data":{"limits":[[1,{"a":[]}],{}]},"loan_data":null},"tags":["x",{"y":[true,false,null]}]}]}`,
			envelope{records: raws(`{"account":{"credit_data":{"limits":[[1,{"a":[]}],{}]},"loan_data":null},"tags":["x",{"y":[true,false,null]}]}`)}},
		{"escapes in records stay as sent", `{"results":[{"d":"a \"quoted\" \\ back\/slash \u00e9\ud83d\ude00 \b\f\n\r\t"}]}`,
			envelope{records: raws(`{"d":"a \"quoted\" \\ back\/slash \u00e9\ud83d\ude00 \b\f\n\r\t"}`)}},
		{"brackets inside strings", `{"results":["]}[{,:\"", {"k]":"}"}]}`,
			envelope{records: raws(`"]}[{,:\""`, `{"k]":"}"}`)}},
		{"scalars as records", `{"results":[-0.5e+3,0,true,false,null,"s"]}`,
			envelope{records: raws(`-0.5e+3`, `0`, `true`, `false`, `null`, `"s"`)}},
		{"escaped member names", `{"\u0063ount":4,"n\u0065xt":"a\/b","r\u0065sults":[1]}`,
			envelope{count: 4, next: "a/b", records: raws(`1`)}},
		{"names match exactly", `{"Count":4,"NEXT":"x","Results":[1]}`, envelope{}},
		{"the last repeated member wins", `{"count":1,"results":[1],"count":2,"results":[2,3],"next":"a","next":null}`,
			envelope{count: 2, records: raws(`2`, `3`)}},
		{"unknown members of any type are skipped", `{"extra":{"a":[1,{"b":"c"}]},"count":1,"more":[[]],"x":"y","z":-1.5}`,
			envelope{count: 1}},
		{"non-ASCII next", `{"next":"https://h/?q=caf\u00e9&r=ñ"}`, envelope{next: "https://h/?q=café&r=ñ"}},
		{"negative zero count", `{"count":-0}`, envelope{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitPage([]byte(tc.body))
			if err != nil {
				t.Fatalf("splitPage: %v", err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("got %+v\nwant %+v", got, tc.want)
			}
			ref, err := reference([]byte(tc.body))
			if err != nil || !reflect.DeepEqual(ref, tc.want) {
				t.Fatalf("encoding/json disagrees: %+v, %v", ref, err)
			}
		})
	}
}

// TestSplitPageRefusesMalformedPages pins that a body that is not a page
// fails with an error saying where and what, never a partial page.
func TestSplitPageRefusesMalformedPages(t *testing.T) {
	cases := []struct {
		name, body, want string
	}{
		{"empty body", ``, "byte 0: the page is not a JSON object"},
		{"HTML", `<html>rate limited</html>`, "byte 0: the page is not a JSON object"},
		{"an array", `[{"id":"a"}]`, "not a JSON object"},
		{"null", `null`, "not a JSON object"},
		{"cut in a record", `{"count":2,"results":[{"id":"a"},{"id":"b`, "unexpected end in a string"},
		{"cut after a record", `{"count":2,"results":[{"id":"a"}`, "byte 32: unexpected end in results"},
		{"cut after results", `{"count":2,"results":[]`, "unexpected end of the page"},
		{"trailing comma in results", `{"results":[1,]}`, "byte 14: unexpected ']', expected a value"},
		{"trailing comma in a record", `{"results":[{"a":1,}]}`, "expected a member name"},
		{"missing comma between records", `{"results":[{"a":1} {"b":2}]}`, "byte 20: expected ',' or ']' between results"},
		{"mismatched bracket in a record", `{"results":[{"a":[1}]}`, "byte 19: expected ',' or ']' in an array"},
		{"mismatched brace in a record", `{"results":[{"a":1]]}`, "byte 18: expected ',' or '}' in an object"},
		{"missing colon", `{"results":[{"a" 1}]}`, "expected ':' after a member name"},
		{"unquoted name", `{"results":[{a:1}]}`, "expected a member name"},
		{"bad escape", `{"results":["\x"]}`, "bad escape in a string"},
		{"short unicode escape", `{"results":["\u12"]}`, `bad \u escape`},
		{"raw control character", "{\"results\":[\"a\nb\"]}", "control character in a string"},
		{"bad number", `{"results":[01]}`, "expected ',' or ']' between results"},
		{"bare minus", `{"results":[-]}`, "bad number"},
		{"fraction without digits", `{"results":[1.]}`, "no digit after '.'"},
		{"exponent without digits", `{"results":[1e+]}`, "no digit in the exponent"},
		{"bad literal", `{"results":[nul]}`, "bad literal, expected null"},
		{"single quotes", `{'count':1}`, "expected a member name"},
		{"data after the page", `{"results":[]} {}`, "byte 15: data after the page object"},
		{"two pages", `{"results":[]}{"results":[]}`, "data after the page object"},
		{"count as a string", `{"count":"2","results":[]}`, "byte 9: count is a string, not an integer"},
		{"fractional count", `{"count":2.5}`, "count 2.5 is not an integer"},
		{"count beyond int", `{"count":99999999999999999999}`, "is not an integer"},
		{"next as a number", `{"next":2}`, "next is a number, not a URL string"},
		{"previous as an object", `{"previous":{}}`, "previous is a object, not a URL string"},
		{"results as an object", `{"results":{"id":"a"}}`, "byte 11: results is a object, not an array"},
		{"syntax error wins over a type error", `{"count":"x","results":[}`, "unexpected '}', expected a value"},
		{"too deep", `{"results":[` + strings.Repeat("[", maxNesting) + strings.Repeat("]", maxNesting) + `]}`, "nested too deeply"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := splitPage([]byte(tc.body))
			if err == nil {
				t.Fatalf("no error; decoded %+v", got)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want it to contain %q", err, tc.want)
			}
			if _, rerr := reference([]byte(tc.body)); rerr == nil && tc.body != "null" {
				t.Fatalf("encoding/json accepts what splitPage refuses")
			}
		})
	}
}

// TestSplitPageNestingLimitMatchesEncodingJSON pins the depth limit at
// encoding/json's: the deepest page it accepts is accepted.
func TestSplitPageNestingLimitMatchesEncodingJSON(t *testing.T) {
	// The page object and results are two levels; the record fills the rest.
	deepest := `{"results":[` + strings.Repeat("[", maxNesting-2) + strings.Repeat("]", maxNesting-2) + `]}`
	if _, err := reference([]byte(deepest)); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	if _, err := splitPage([]byte(deepest)); err != nil {
		t.Fatalf("splitPage: %v", err)
	}
	for _, deeper := range []string{
		`{"other":` + strings.Repeat("{\"a\":", maxNesting) + "1" + strings.Repeat("}", maxNesting) + `}`,
		// An empty container is a level too: the splitter once let this
		// page through.
		`{"results":[` + strings.Repeat("[", maxNesting-1) + strings.Repeat("]", maxNesting-1) + `]}`,
	} {
		_, rerr := reference([]byte(deeper))
		_, err := splitPage([]byte(deeper))
		if rerr == nil || err == nil {
			t.Fatalf("one level too deep: encoding/json %v, splitPage %v; want both to refuse", rerr, err)
		}
	}
}

// TestSplitPageRecordsShareTheBody pins the point of the splitter: records
// are the body's own bytes, not copies, and appending to one cannot
// overwrite the next.
func TestSplitPageRecordsShareTheBody(t *testing.T) {
	body := []byte(`{"results":[{"id":"a"},{"id":"b"}]}`)
	env, err := splitPage(body)
	if err != nil {
		t.Fatal(err)
	}
	first := env.records[0]
	if unsafe.SliceData(first) != &body[12] {
		t.Fatalf("record 0 is a copy, not body[12:]")
	}
	_ = append(first, 'X')
	if string(env.records[1]) != `{"id":"b"}` || !bytes.Equal(body, []byte(`{"results":[{"id":"a"},{"id":"b"}]}`)) {
		t.Fatalf("append to a record changed the body: %s", body)
	}
}

// emulatorPage returns the body the emulator serves for one page of n
// transactions of 7 kB each, the fetcher's benchmark load.
func emulatorPage(tb testing.TB, n int) []byte {
	tb.Helper()
	e, err := emulator.New(emulator.Config{Links: 1, Records: n}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req := httptest.NewRequest("GET", fmt.Sprintf("/api/transactions/?link=%s&page_size=%d", e.Links()[0].ID, n), nil)
	req.SetBasicAuth("emulator-id", "emulator-password")
	rec := httptest.NewRecorder()
	e.Handler().ServeHTTP(rec, req)
	if rec.Code != 200 {
		tb.Fatalf("emulator answered %d: %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// TestSplitPageOfEmulatorTransactions compares the splitter with
// encoding/json on a real page: same count, next and records, byte for
// byte.
func TestSplitPageOfEmulatorTransactions(t *testing.T) {
	body := emulatorPage(t, 200)
	got, err := splitPage(body)
	if err != nil {
		t.Fatal(err)
	}
	want, err := reference(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.records) != 200 || !reflect.DeepEqual(got, want) {
		t.Fatalf("splitPage gives %d records, count %d, next %q; encoding/json %d, %d, %q",
			len(got.records), got.count, got.next, len(want.records), want.count, want.next)
	}
}

// FuzzSplitPage checks the splitter against encoding/json on any input:
// both accept or both refuse, and what they accept decodes the same.
func FuzzSplitPage(f *testing.F) {
	for _, s := range []string{
		`{"count":2,"next":"https://h/?page=2","previous":null,"results":[{"id":"a","n":[1,2,{"x":null}]},{"id":"b"}]}`,
		`{"results":[],"count":0,"next":null}`,
		`{"results":null}`,
		`{"\u0063ount":1,"results":["\ud83d\ude00\"\\"]}`,
		`{"results":[1.5e-3,-0,true,false,null]}`,
		`{"count":1,"count":"x"}`,
		`{"results":[{"a":1}`,
		`[]`,
		` {} `,
		`{"next":"\u00e9\xff"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := splitPage(body)
		want, rerr := reference(body)
		if string(bytes.Trim(body, " \t\r\n")) == "null" {
			// encoding/json decodes null into an empty map; a page
			// must be an object.
			if err == nil {
				t.Fatalf("splitPage accepted %q", body)
			}
			return
		}
		if (err == nil) != (rerr == nil) {
			t.Fatalf("splitPage error %v, encoding/json error %v, on %q", err, rerr, body)
		}
		if err == nil && !reflect.DeepEqual(got, want) {
			t.Fatalf("on %q\nsplitPage     %+v\nencoding/json %+v", body, got, want)
		}
	})
}

// BenchmarkDecodePage decodes one emulator page of 1000 transactions
// (7 MB) with the splitter and, for comparison, with json.Unmarshal into
// the struct the client used before it.
func BenchmarkDecodePage(b *testing.B) {
	body := emulatorPage(b, 1000)
	b.Run("splitPage", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			env, err := splitPage(body)
			if err != nil || len(env.records) != 1000 {
				b.Fatal(err, len(env.records))
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "records/s")
	})
	b.Run("encoding-json", func(b *testing.B) {
		var old struct {
			Count    int               `json:"count"`
			Next     *string           `json:"next"`
			Previous *string           `json:"previous"`
			Results  []json.RawMessage `json:"results"`
		}
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			old.Results = nil
			if err := json.Unmarshal(body, &old); err != nil || len(old.Results) != 1000 {
				b.Fatal(err, len(old.Results))
			}
		}
		b.ReportMetric(float64(1000*b.N)/b.Elapsed().Seconds(), "records/s")
	})
}
