package ingest

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/seeds"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// eachMember must agree with encoding/json on every valid object: same keys,
// same raw value bytes (modulo surrounding space, which json trims too).
func checkAgainstEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	if !json.Valid(body) {
		return
	}
	var want map[string]json.RawMessage
	wantErr := json.Unmarshal(body, &want)
	got := map[string][]byte{}
	err := eachMember(body, func(k string, raw []byte) error { got[k] = raw; return nil })
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

func TestEachMemberAgreesWithEncodingJSON(t *testing.T) {
	cases := []string{
		`{}`, ` { } `, `{"a":1}`, `{"a" : "x\"}" , "b":[1,{"c":"]"}], "d":null,"e":true,"f":-1.5e3}`,
		`{"k\u00e9y":"v\\","n":{"deep":{"er":[[]]}}}`, "{\n\t\"a\"\n:\n\"b\"\n}", `[1]`, `"str"`, `12`,
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
	f.Fuzz(func(t *testing.T, body []byte) { checkAgainstEncodingJSON(t, body) })
}
