package records

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/linkedin/goavro/v2"
)

// templatesDir holds the emulator's one record per resource, which the
// load tests and the fetcher's benchmark send.
const templatesDir = "../emulator/templates"

// prefix is what dst holds before Append, so that every comparison also
// pins that Append appends and leaves what was there alone.
var prefix = []byte{0, 0, 0, 0, 7}

// checkAppend holds Append to goavro's bytes for what Native returns, or to
// Native's error, message included: the fetcher dead-letters a record with
// that message, whichever path refused it.
func checkAppend(t testing.TB, c *Converter, raw []byte, l Lineage) {
	t.Helper()
	native, nerr := c.Native(raw, l)
	got, aerr := c.Append(append([]byte(nil), prefix...), raw, l)
	if json.Valid(raw) {
		// The fetcher converts a page's records, which the Belvo client
		// has validated, with AppendValid: it must answer as Append does.
		valid, verr := c.AppendValid(append([]byte(nil), prefix...), raw, l)
		if !bytes.Equal(valid, got) || (verr == nil) != (aerr == nil) || verr != nil && verr.Error() != aerr.Error() {
			t.Fatalf("%s %q: AppendValid differs from Append:\nAppendValid %x, %v\nAppend      %x, %v", c.res.Name, raw, valid, verr, got, aerr)
		}
	}
	if nerr != nil {
		if aerr == nil {
			t.Fatalf("%s %q: Native refused (%v), Append accepted", c.res.Name, raw, nerr)
		}
		var nfe, afe *FieldError
		if !errors.As(nerr, &nfe) || !errors.As(aerr, &afe) ||
			nfe.Resource != afe.Resource || nfe.ID != afe.ID || nfe.Field != afe.Field {
			t.Fatalf("%s %q: errors differ:\nNative %#v\nAppend %#v", c.res.Name, raw, nerr, aerr)
		}
		if nerr.Error() != aerr.Error() {
			t.Fatalf("%s %q: error messages differ:\nNative %v\nAppend %v", c.res.Name, raw, nerr, aerr)
		}
		if !bytes.Equal(got, prefix) {
			t.Fatalf("%s %q: Append failed but changed dst to %x", c.res.Name, raw, got)
		}
		return
	}
	if aerr != nil {
		t.Fatalf("%s %q: Native accepted, Append refused: %v", c.res.Name, raw, aerr)
	}
	want, err := c.Codec().BinaryFromNative(append([]byte(nil), prefix...), native)
	if err != nil {
		t.Fatalf("%s %q: goavro refuses what Native returned: %v", c.res.Name, raw, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s %q: Append differs from goavro at byte %d:\nAppend %x\ngoavro %x", c.res.Name, raw, firstDiff(got, want), got, want)
	}
	rec, key, err := c.Encode(append([]byte(nil), prefix...), raw, l, false)
	if err != nil || !bytes.Equal(rec, got) || string(key) != native[schemas.FieldID] || cap(key) != len(key) {
		t.Fatalf("%s: Encode key %q (cap %d), %v; want %q", c.res.Name, key, cap(key), err, native[schemas.FieldID])
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// converters builds one converter per table, and the probe last.
func converters(t testing.TB) []*Converter {
	t.Helper()
	var out []*Converter
	for _, r := range schemas.Tables() {
		c, err := New(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, c)
	}
	return append(out, probe(t))
}

// examples returns Belvo's example records and the emulator's template of
// every resource, by resource name.
func examples(t testing.TB) map[string][][]byte {
	t.Helper()
	out := map[string][][]byte{}
	for name, globs := range exampleFiles() {
		for _, g := range globs {
			matches, err := filepath.Glob(filepath.Join(examplesDir, g))
			if err != nil || len(matches) == 0 {
				t.Fatalf("%s: no file matches %s (%v)", name, g, err)
			}
			for _, file := range matches {
				for _, raw := range readRecords(t, file) {
					out[name] = append(out[name], raw)
				}
			}
		}
	}
	for _, r := range schemas.Resources {
		for _, raw := range readRecords(t, filepath.Join(templatesDir, r.Name+".json")) {
			out[r.Name] = append(out[r.Name], raw)
		}
	}
	for name, raws := range factExamples() {
		out[name] = append(out[name], raws...)
	}
	return out
}

// factExamples are records of the facts as the fetcher writes them: a
// webhook envelope, or its own request and reconciliation objects.
func factExamples() map[string][][]byte {
	envelope := func(typ, code, data string) []byte {
		return []byte(`{"webhook_id":"9e1c7a2f-0b59-4a7e-a8c1-2c3d4e5f6a7b","event_key":"9e1c7a2f-0b59-4a7e-a8c1-2c3d4e5f6a7b:` + code[:4] + `0c1d2e3f4a5b","webhook_type":"` + typ + `","process_type":"historical_update","webhook_code":"` +
			code + `","link_id":"30cb4806-6e00-48a4-91c9-ca55968576c8","request_id":null,"external_id":null,"data":` + data +
			`,"received_at":"2026-11-23T10:00:00.123456Z"}`)
	}
	return map[string][][]byte{
		"link_events": {
			envelope("LINK", "invalid_credentials", `{"error_code":"invalid_credentials","error_message":"The credentials provided to login to the institution are not valid.","status":"invalid"}`),
			envelope("LINK", "token_required", `{"error_code":"token_required","error_message":"A MFA token is required","status":"token_required","session":"2c9a5b0e8d1f4a6b","expiry":9600,"token_generation_data":{"instructions":"Use the code"}}`),
		},
		"consent_events": {
			envelope("CONSENT", "openfinance_consent_about_to_expire", `{"consent_id":"urn:ofmockbank:0f1e","consent_due_date":"2026-12-01T00:00:00Z","action":"renew","institution":"ofmockbank_br_retail","institution_display_name":"Ofmock Bank – Varejo"}`),
		},
		"error_events": {
			[]byte(`{"webhook_id":"w1","event_key":"w1:59b271ae1bbcb1d3","webhook_type":"ACCOUNTS","webhook_code":"historical_update","process_type":"historical_update","error_code":"institution_down","error_message":"La institución no está disponible","received_at":"2026-11-23T10:00:00Z"}`),
		},
		"requests": {
			[]byte(`{"belvo_request_id":"0d3ffb69f83b456ead8e208d0998d71d","kind":"async_post","resource":"financial_statements","date_from":"2025-01-01","date_to":"2025-12-31","sent_at":"2026-11-23T10:00:00.5Z"}`),
		},
		"reconciliations": {
			[]byte(`{"event_key":"w1:59b271ae1bbcb1d3","webhook_id":"w1","link_id":"l1","resource":"transactions","webhook_code":"historical_update","announced":1000,"fetched":998,"matched":false,"exact":true}`),
		},
	}
}

// lineages are the lineage edge cases: unknown ids become nulls, times
// are truncated to whole microseconds, and bad lineage is refused first.
func lineages() []Lineage {
	l := testLineage()
	return []Lineage{
		l,
		{LinkID: l.LinkID, FetchedAt: l.FetchedAt},
		{LinkID: "enlace ação 🙂", WebhookID: "wh\x00\"", FetchedAt: time.Date(2026, 1, 2, 3, 4, 5, 999_999_999, time.FixedZone("", -5*3600))},
		{LinkID: "l", RequestID: "r", FetchedAt: time.Unix(0, 0)},
		{LinkID: "l", FetchedAt: time.Date(300_000, 1, 1, 0, 0, 0, 1, time.UTC)}, // micros overflow, as in goavro
		{LinkID: "l", FetchedAt: time.Now()},                                     // with a monotonic reading
		{FetchedAt: l.FetchedAt},
		{LinkID: "l"},
		{LinkID: "l", FetchedAt: time.Date(1969, 12, 31, 23, 59, 59, 0, time.UTC)},
	}
}

// Every table's example records encode to goavro's bytes, under every
// lineage edge case.
func TestAppendMatchesGoavroOnExamples(t *testing.T) {
	ex := examples(t)
	for _, c := range converters(t) {
		raws := ex[c.res.Name]
		if len(raws) == 0 && c.res.Name != "probe" {
			t.Errorf("%s: no example records", c.res.Name)
		}
		for _, raw := range raws {
			for _, l := range lineages() {
				checkAppend(t, c, raw, l)
			}
		}
	}
}

// edgeJSON holds values of every kind that a rule treats specially, and
// values of the other kinds' shapes, written as JSON.
var edgeJSON = map[schemas.Kind][]string{
	schemas.String: {`"plain"`, `""`, `"ação ñ 日本語 🙂"`, `"tab\tnew\nline \"q\" \\ \/ \u00e9 \ud83d\ude00 lone \ud800 x"`,
		`"` + strings.Repeat("x", 200) + `\n"`, `"\u0000"`, `1.50`, `-0`, `2e3`, `true`, `false`, `{}`, `[1]`},
	schemas.Decimal: {`0`, `-0`, `-0.0`, `1234.56`, `"1234.56"`, `"-0.01"`, `2145.45`, `-2145.45`,
		`12345678901234567890.1234567891`, `-9999999999999999999999999999.9999999999`, `9999999999999999999999999999.9999999999`,
		`1.5E-7`, `2e3`, `0e999`, `1.00000000000000`, `0.12345678901`, `-12.34500000001`, `1e28`, `-1e27`, `10000000000000000000000000000`,
		`922337203.6854775807`, `-922337203.6854775808`, `922337203.6854775808`, `-922337203.6854775809`,
		`999999999999999999`, `-999999999999999999`, `9999999999999999999`, `99999999.9999999999`, `0.0000000001`, `-0.0000000001`,
		`127e-10`, `128e-10`, `-128e-10`, `-129e-10`, `32767e-10`, `-32768e-10`, `"abc"`, `"NaN"`, `"0x10"`, `"1/3"`, `""`, `"\u0031.5"`, `"1e5"`},
	schemas.Int: {`0`, `-1`, `2018`, `"2018"`, `2018.0`, `2.018e3`, `-9223372036854775808`, `9223372036854775807`, `9223372036854775808`,
		`2018.5`, `"twelve"`, `""`, `1e19`, `-0`, `"-0"`},
	schemas.Float: {`0`, `-0`, `0.95`, `-84.0393`, `1e308`, `-1e308`, `1e999`, `"Inf"`, `"1.5"`, `5e-324`, `1e-400`, `""`, `0.1`},
	schemas.Bool:  {`true`, `false`, `""`, `"true"`, `1`},
	schemas.Date: {`"2024-03-15"`, `"2024-03-15T00:30:00+02:00"`, `"2019-10-23T23:59:59-05:00"`, `"1969-12-31"`, `"1970-01-01"`,
		`"1900-01-01"`, `"2299-12-31"`, `"1899-12-31"`, `"2300-01-01"`, `"2024-02-30"`, `"2024-02-29"`, `""`, `20240315`,
		`"2024-03-15X"`, `"2024\u002d03-15"`, `"2024-3-5"`, `"2024-03-15 10:00"`},
	schemas.Timestamp: {`"2022-02-09T08:45:50.406032Z"`, `"2020-01-07T08:30:17.861202+00:00"`, `"2020-01-07T17:28:00-05:00"`,
		`"2020-01-07T17:28:00"`, `"2020-01-07T17:28:00.123456789Z"`, `"2022-07-21"`, `"1900-01-01T00:00:00Z"`,
		`"1900-01-01T00:00:00+00:01"`, `"2299-12-31T23:59:59.999999999Z"`, `"2300-01-01T00:00:00Z"`, `"1969-12-31T23:59:59.999999Z"`,
		`"1969-12-31T23:59:59.9999999Z"`, `"yesterday"`, `1581238000`, `""`, `"2020-01-07 17:28"`},
	schemas.Enum: {`"BRL"`, `"INFLOW"`, `""`, `"\u00c9"`, `7`},
}

// gen makes records of a table with edge values at its paths.
type gen struct {
	r     *rand.Rand
	all   []string                  // every edge value, for a field of another kind
	valid map[schemas.Kind][]string // the edge values each kind accepts
}

func newGen(seed uint64) gen {
	g := gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), valid: map[schemas.Kind][]string{}}
	for _, vs := range edgeJSON {
		g.all = append(g.all, vs...)
	}
	g.all = append(g.all, `{}`, `[]`, `{"x": 1}`, `null`)
	// Most records must convert, or the bytes would hardly be compared:
	// a record is refused at its first bad field.
	for k := range edgeJSON {
		for _, v := range g.all {
			values := []leaf{{}}
			root := newNode("")
			root.add([]string{"v"}, new(int))
			if scan([]byte(`{"v":`+v+`}`), root, values, false) != nil {
				panic("edge value " + v + " is not JSON")
			}
			if _, err := convert(k, &values[0]); err == nil {
				g.valid[k] = append(g.valid[k], v)
			}
		}
	}
	return g
}

func (g gen) pick(vs []string) string { return vs[g.r.IntN(len(vs))] }

// value is a JSON value for kind k: mostly one it accepts, sometimes any
// edge value (wild records only), null, or nothing.
func (g gen) value(k schemas.Kind, wild bool) (json.RawMessage, bool) {
	switch n := g.r.IntN(40); {
	case n < 4:
		return nil, false
	case n < 8:
		return json.RawMessage(`null`), true
	case n < 10 && wild:
		return json.RawMessage(g.pick(g.all)), true
	}
	return json.RawMessage(g.pick(g.valid[k])), true
}

// set puts v at the dotted path, unless a member on the way already holds
// something other than an object.
func set(obj map[string]any, path string, v any) {
	segs := strings.Split(path, ".")
	for _, s := range segs[:len(segs)-1] {
		next, ok := obj[s]
		if !ok {
			m := map[string]any{}
			obj[s] = m
			obj = m
			continue
		}
		if obj, ok = next.(map[string]any); !ok {
			return
		}
	}
	obj[segs[len(segs)-1]] = v
}

func (g gen) record(r schemas.Resource) []byte {
	obj := map[string]any{}
	wild := g.r.IntN(3) == 0
	switch n := g.r.IntN(12); {
	case n == 0: // no id: the Key, or a refusal
	case n == 1:
		set(obj, schemas.FieldID, json.RawMessage(g.pick(g.all)))
	case n == 2:
		set(obj, schemas.FieldID, json.RawMessage(`"r\u00e9-\"1\""`))
	case n == 3:
		set(obj, schemas.FieldID, g.r.Int64()-g.r.Int64())
	default:
		set(obj, schemas.FieldID, fmt.Sprintf("rec-%d", g.r.Uint32()))
	}
	for _, k := range r.Key {
		if g.r.IntN(8) > 0 {
			set(obj, k, json.RawMessage(g.pick(append(edgeJSON[schemas.String], `42`, `"K|1"`))))
		}
	}
	for _, f := range r.Fields {
		path := f.Path()
		if i := strings.LastIndexByte(path, '.'); i > 0 && wild && g.r.IntN(15) == 0 {
			// A parent that is null (a null field) or a scalar (refused).
			set(obj, path[:i], json.RawMessage(g.pick([]string{`null`, `5`, `"x"`, `[1]`, `{}`})))
		}
		if v, ok := g.value(f.Kind, wild); ok {
			set(obj, path, v)
		}
	}
	raw, err := json.Marshal(obj)
	if err != nil {
		panic(err)
	}
	switch g.r.IntN(4) {
	case 0:
		var b bytes.Buffer
		_ = json.Indent(&b, raw, " ", "\t")
		raw = b.Bytes()
	case 1:
		raw = append(append([]byte(" \n"), raw...), '\r', ' ')
	}
	return raw
}

// Random records of every table, with edge values of every kind at their
// paths, nulls, missing members and broken parents, encode to goavro's
// bytes or are refused with Native's error.
func TestAppendMatchesGoavroOnEdgeValues(t *testing.T) {
	g := newGen(1)
	ls := lineages()
	n := 400
	if testing.Short() {
		n = 50
	}
	for _, c := range converters(t) {
		for i := range n {
			checkAppend(t, c, g.record(c.res), ls[i%len(ls)])
		}
	}
}

// Each edge value on its own, through the probe's one field of each kind,
// so none is left to chance.
func TestAppendMatchesGoavroOnEveryEdgeValue(t *testing.T) {
	c := probe(t)
	l := testLineage()
	g := newGen(2)
	for _, f := range c.res.Fields {
		for _, v := range append(g.all, `null`) {
			checkAppend(t, c, []byte(`{"id": "r1", "`+f.Name+`": `+v+`}`), l)
		}
	}
	for _, v := range g.all {
		checkAppend(t, c, []byte(`{"id": "r1", "account": {"balance": {"current": `+v+`}}}`), l)
		checkAppend(t, c, []byte(`{"id": "r1", "account": {"balance": `+v+`}}`), l)
		checkAppend(t, c, []byte(`{"key": {"a": `+v+`, "b": "x"}}`), l)
		checkAppend(t, c, []byte(`{"id": `+v+`}`), l)
	}
	for _, raw := range scanCorpus() {
		checkAppend(t, c, []byte(raw), l)
	}
}

// The decimal bytes are goavro's for every size of value, either side of
// each byte boundary, whichever of the two encodings Append takes.
func TestDecimalBytesMatchGoavro(t *testing.T) {
	codec, err := goavro.NewCodec(`{"type": "bytes", "logicalType": "decimal", "precision": 38, "scale": 10}`)
	if err != nil {
		t.Fatal(err)
	}
	var vals []*big.Int
	for bits := 0; bits <= 128; bits++ {
		p := new(big.Int).Lsh(big.NewInt(1), uint(bits))
		for _, d := range []int64{-1, 0, 1} {
			v := new(big.Int).Add(p, big.NewInt(d))
			vals = append(vals, v, new(big.Int).Neg(v))
		}
	}
	r := rand.New(rand.NewPCG(3, 4))
	for range 2000 {
		b := make([]byte, r.IntN(17))
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		v := new(big.Int).SetBytes(b)
		if r.IntN(2) == 0 {
			v.Neg(v)
		}
		vals = append(vals, v)
	}
	for _, v := range vals {
		want, err := codec.BinaryFromNative(nil, new(big.Rat).SetFrac(v, scaleDenom))
		if err != nil {
			t.Fatal(err)
		}
		if got := (unscaled{big: v}).appendAvro(nil); !bytes.Equal(got, want) {
			t.Fatalf("%v (big): %x, goavro %x", v, got, want)
		}
		if v.IsInt64() {
			if got := (unscaled{small: v.Int64()}).appendAvro(nil); !bytes.Equal(got, want) {
				t.Fatalf("%v: %x, goavro %x", v, got, want)
			}
		}
	}
}

// A deletion encodes to goavro's bytes of Deletion, and is refused alike.
func TestAppendDeletionMatchesGoavro(t *testing.T) {
	for _, c := range converters(t) {
		for _, id := range []string{"r1", "", "0d3ffb69-f83b-456e-ad8e-208d0998d71d", "ação|2018"} {
			for _, l := range lineages() {
				native, nerr := c.Deletion(id, l)
				got, aerr := c.AppendDeletion(append([]byte(nil), prefix...), id, l)
				if nerr != nil || aerr != nil {
					if nerr == nil || aerr == nil || nerr.Error() != aerr.Error() {
						t.Fatalf("%s %q %+v: Deletion %v, AppendDeletion %v", c.res.Name, id, l, nerr, aerr)
					}
					continue
				}
				want, err := c.Codec().BinaryFromNative(append([]byte(nil), prefix...), native)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("%s %q: AppendDeletion %x, goavro %x", c.res.Name, id, got, want)
				}
				if _, k, err := c.EncodeDeletion(append([]byte(nil), prefix...), id, l); err != nil || string(k) != id || cap(k) != len(k) {
					t.Fatalf("%s: EncodeDeletion key %q, %v", c.res.Name, k, err)
				}
			}
		}
	}
}

// Append shares the converter across the fetcher's goroutines, as Native.
func TestAppendConcurrentUse(t *testing.T) {
	r, _ := schemas.ResourceByName("transactions")
	c, err := New(r)
	if err != nil {
		t.Fatal(err)
	}
	raws := examples(t)["transactions"]
	done := make(chan struct{})
	for w := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			var buf []byte
			for i := range 50 {
				var err error
				if buf, err = c.Append(buf[:0], raws[(w+i)%len(raws)], testLineage()); err != nil && !errors.Is(err, ErrMissingID) {
					t.Error(err)
					return
				}
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// FuzzAppendAgreesWithNative holds Append to goavro's bytes of Native for
// any input, on any table, under any lineage time: the fetcher publishes
// Append's bytes for what it fetched.
func FuzzAppendAgreesWithNative(f *testing.F) {
	convs := converters(f)
	byName := map[string]uint8{}
	for i, c := range convs {
		byName[c.res.Name] = uint8(i)
	}
	ex := examples(f)
	for name, raws := range ex {
		for _, raw := range raws {
			f.Add(byName[name], raw, "wh-1", int64(1_795_000_000_123_456_789))
		}
	}
	g := newGen(5)
	for i, c := range convs {
		for range 4 {
			f.Add(uint8(i), g.record(c.res), "", int64(g.r.Int64()))
		}
	}
	for _, raw := range scanCorpus() {
		f.Add(byName["probe"], []byte(raw), "wh-1", int64(1))
	}
	f.Fuzz(func(t *testing.T, table uint8, raw []byte, webhook string, nanos int64) {
		if bytes.Count(raw, []byte("[")) > maxDepth/2 {
			t.Skip() // depth has its own test
		}
		c := convs[int(table)%len(convs)]
		l := testLineage()
		l.WebhookID = webhook
		l.FetchedAt = time.Unix(0, nanos)
		checkAppend(t, c, raw, l)
	})
}
