package privacy

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func token(key []byte, id, v string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(v))
	return id + ":" + hex.EncodeToString(m.Sum(nil))
}

func mustNew(t *testing.T, rules map[string][]Rule) *Protector {
	t.Helper()
	p, err := New(testKey, "k1", rules)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRecordRewritesPaths(t *testing.T) {
	p := mustNew(t, map[string][]Rule{"owners": {
		{Path: "email", Action: Hash},
		{Path: "emails.email", Action: Hash},
		{Path: "document_id.document_number", Action: Hash},
		{Path: "nationalities.documents.number", Action: Hash},
		{Path: "address", Action: Drop},
		{Path: "phone", Action: Hash},
		{Path: "tags", Action: Hash},
		{Path: "gone", Action: Drop},
	}})
	raw := `{"id":"x", "email" : "a@b.com","emails":[{"email":"a@b.com","is_main":true},{"email":"c\u0040d.com"}],` +
		`"document_id":{"document_type":"CPF","document_number":"123"},` +
		`"nationalities":[{"documents":[{"number":"N1"},{"number":"N2"}]},{"documents":[]}],` +
		`"address":{"street":"Rua 1","n":[1,2]},"phone":5511999,"tags":["t",{"x":"y","ok":false}],"gone":null,"keep":"me"}`
	out, err := p.Record("owners", []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("output is not JSON: %v\n%s", err, out)
	}
	want := map[string]any{
		"id": "x", "email": token(testKey, "k1", "a@b.com"),
		"emails": []any{
			map[string]any{"email": token(testKey, "k1", "a@b.com"), "is_main": true},
			map[string]any{"email": token(testKey, "k1", "c@d.com")}, // hashed on its value, not its spelling
		},
		"document_id":   map[string]any{"document_type": "CPF", "document_number": token(testKey, "k1", "123")},
		"nationalities": []any{map[string]any{"documents": []any{map[string]any{"number": token(testKey, "k1", "N1")}, map[string]any{"number": token(testKey, "k1", "N2")}}}, map[string]any{"documents": []any{}}},
		"address":       nil,
		"phone":         token(testKey, "k1", "5511999"),
		"tags":          []any{token(testKey, "k1", "t"), map[string]any{"x": token(testKey, "k1", "y"), "ok": false}},
		"gone":          nil,
		"keep":          "me",
	}
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if !bytes.Equal(gb, wb) {
		t.Errorf("rewritten record\n got %s\nwant %s", gb, wb)
	}
	// Outside the protected values the text is Belvo's, byte for byte.
	if !bytes.HasPrefix(out, []byte(`{"id":"x", "email" : "k1:`)) || !bytes.HasSuffix(out, []byte(`"gone":null,"keep":"me"}`)) {
		t.Errorf("text around the protected values changed: %s", out)
	}
	if p.Token([]byte("a@b.com")) != token(testKey, "k1", "a@b.com") {
		t.Error("Token differs from the hash written into records")
	}
}

func TestRecordWithoutProtectedValuesIsUntouched(t *testing.T) {
	p := mustNew(t, map[string][]Rule{"owners": {{Path: "email", Action: Hash}, {Path: "address", Action: Drop}}})
	for _, text := range []string{`{"id":"x","address":null}`, `{"id":"x","other":{"email":"a@b"}}`, `{}`} {
		raw := []byte(text)
		out, err := p.Record("owners", raw)
		if err != nil {
			t.Fatal(err)
		}
		if &out[0] != &raw[0] {
			t.Errorf("%s was copied to %s", raw, out)
		}
	}
	raw := []byte(`{"email":"a@b"}`)
	if out, _ := p.Record("accounts", raw); &out[0] != &raw[0] {
		t.Error("a resource without rules was copied")
	}
}

func TestKeysAndIDsSeparateHashes(t *testing.T) {
	rules := map[string][]Rule{"r": {{Path: "v", Action: Hash}}}
	a := mustNew(t, rules)
	b, _ := New([]byte("another key of thirty-two bytes!!"), "k1", rules)
	c, _ := New(testKey, "k2", rules)
	x, _ := a.Record("r", []byte(`{"v":"same"}`))
	y, _ := a.Record("r", []byte(`{"v":"same"}`))
	z, _ := b.Record("r", []byte(`{"v":"same"}`))
	w, _ := c.Record("r", []byte(`{"v":"same"}`))
	if !bytes.Equal(x, y) {
		t.Error("equal values under one key gave different hashes: joins would break")
	}
	if bytes.Equal(x, z) {
		t.Error("two keys gave the same hash")
	}
	if !strings.Contains(string(w), `"k2:`) {
		t.Errorf("key id not prefixed: %s", w)
	}
}

func TestNewRefuses(t *testing.T) {
	cases := []struct {
		key   []byte
		id    string
		rules []Rule
		want  string
	}{
		{[]byte("short"), "k1", nil, "at least 32"},
		{testKey, "K:1", nil, "key id"},
		{testKey, "k1", []Rule{{Path: "a", Action: Drop}, {Path: "a.b", Action: Hash}}, "under a"},
		{testKey, "k1", []Rule{{Path: "a.b", Action: Hash}, {Path: "a", Action: Drop}}, "above other"},
		{testKey, "k1", []Rule{{Path: "a..b", Action: Hash}}, "malformed"},
		{testKey, "k1", []Rule{{Path: "a", Action: Hash}, {Path: "a", Action: Drop}}, "two actions"},
	}
	for _, c := range cases {
		_, err := New(c.key, c.id, map[string][]Rule{"r": c.rules})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %q %v: got %v, want %q", string(c.key), c.id, c.rules, err, c.want)
		}
	}
}

func TestRecordRefusesBrokenJSON(t *testing.T) {
	p := mustNew(t, map[string][]Rule{"r": {{Path: "a.b", Action: Hash}}})
	for _, raw := range []string{`{"a":{"b":"x"`, `{"a":[{"b":1},`, `{"a":{"b":"x"}`, `{"a" 1}`} {
		if out, err := p.Record("r", []byte(raw)); err == nil {
			t.Errorf("%s: no error, got %s", raw, out)
		}
	}
}

func TestSettings(t *testing.T) {
	known := func(r string) bool { return r == "owners" || r == "accounts" }
	policy := map[string][]Rule{"owners": {{Path: "email", Action: Hash}, {Path: "address", Action: Drop}}}
	cases := []struct {
		s    Settings
		want string
	}{
		{Settings{Mode: "on"}, EnvMode},
		{Settings{Mode: ModeProtect, KeyID: "k1"}, EnvKey},
		{Settings{Mode: ModeProtect, Key: string(testKey), KeyID: "Key 1"}, EnvKeyID},
		{Settings{Mode: ModeOff, Rules: "owners.email=hash"}, EnvRules},
		{Settings{Mode: ModeOff, Rules: "ghosts:email=hash"}, "unknown resource"},
		{Settings{Mode: ModeOff, Rules: "owners:email=blur"}, "hash, drop or keep"},
		{Settings{Mode: ModeProtect, Key: string(testKey), KeyID: "k1", Rules: "owners:address.street=hash"}, "under address"},
	}
	for _, c := range cases {
		err := c.s.Validate(policy, known)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: got %v, want an error naming %q", c.s, err, c.want)
		}
		if err != nil && strings.Contains(err.Error(), string(testKey)) {
			t.Errorf("the key appears in %v", err)
		}
	}
	s := Settings{Mode: ModeProtect, Key: string(testKey), KeyID: "k1", Rules: "owners:address=keep, owners:phone=drop,accounts:number=hash"}
	if err := s.Validate(policy, known); err != nil {
		t.Fatal(err)
	}
	p, err := s.Protector(policy)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := p.Record("owners", []byte(`{"email":"e","address":"a","phone":"p"}`))
	if want := `{"email":"` + token(testKey, "k1", "e") + `","address":"a","phone":null}`; string(out) != want {
		t.Errorf("overrides: got %s, want %s", out, want)
	}
	if !p.Covers("accounts") || p.Covers("bills") {
		t.Error("an override adding a resource is not applied")
	}
	off := Settings{Mode: ModeOff}
	if err := off.Validate(policy, known); err != nil {
		t.Fatal(err)
	}
	if p, _ := off.Protector(policy); p != nil || p.Covers("owners") {
		t.Error("mode off built a protector")
	}
}

func FuzzRecord(f *testing.F) {
	f.Add([]byte(`{"a":{"b":["x",1,{"c":"y"}]},"d":"z"}`))
	f.Add([]byte(`[{"a":{"b":"\u00e9"}}]`))
	p, _ := New(testKey, "k1", map[string][]Rule{"r": {{Path: "a.b", Action: Hash}, {Path: "d", Action: Drop}}})
	f.Fuzz(func(t *testing.T, raw []byte) {
		if !json.Valid(raw) {
			return
		}
		out, err := p.Record("r", raw)
		if err != nil {
			t.Fatalf("valid JSON refused: %v", err)
		}
		if !json.Valid(out) {
			t.Fatalf("%s became invalid %s", raw, out)
		}
	})
}

func TestValues(t *testing.T) {
	raw := []byte(`{"a":[{"b":"x"},{"b":{"c":"y","d":[1.50,true]}}],"e":"z"}`)
	got := Values(raw, "a.b")
	want := map[string]bool{"x": true, "y": true, "1.50": true}
	if len(got) != len(want) {
		t.Fatalf("Values = %q", got)
	}
	for _, v := range got {
		if !want[v] {
			t.Errorf("Values = %q", got)
		}
	}
	if v := Values(raw, "missing"); len(v) != 0 {
		t.Errorf("missing path gave %q", v)
	}
}
