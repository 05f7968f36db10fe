package records

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/finflow/belvo-pipeline/schemas"
)

// reference reads path the slow, obviously right way: encoding/json with
// UseNumber into a generic map, the decoding the scanner replaces.
func reference(t testing.TB, raw []byte, path string) (any, bool) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var cur any
	if err := dec.Decode(&cur); err != nil {
		t.Fatalf("reference decode: %v", err)
	}
	for _, seg := range strings.Split(path, ".") {
		obj, ok := cur.(map[string]any)
		if !ok {
			return nil, cur == nil
		}
		cur = obj[seg]
	}
	switch cur.(type) {
	case map[string]any:
		return jsonObject, true
	case []any:
		return jsonArray, true
	}
	return cur, true
}

// goValue is what encoding/json with UseNumber reads where l was scanned;
// objects and arrays, which no converter reads, as their kind.
func goValue(l leaf) any {
	switch l.kind {
	case jsonString:
		return l.str()
	case jsonNumber:
		return json.Number(l.text)
	case jsonTrue:
		return true
	case jsonFalse:
		return false
	case jsonObject, jsonArray:
		return l.kind
	}
	return nil
}

// Every planned path of every resource reads the same value from Belvo's
// examples as encoding/json does.
func TestScanMatchesEncodingJSON(t *testing.T) {
	files := exampleFiles()
	for _, r := range schemas.Resources {
		c, err := New(r)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range files[r.Name] {
			matches, _ := filepath.Glob(filepath.Join(examplesDir, g))
			for _, file := range matches {
				for _, raw := range readRecords(t, file) {
					compareScan(t, c, raw)
				}
			}
		}
	}
}

func compareScan(t testing.TB, c *Converter, raw []byte) {
	t.Helper()
	values := make([]leaf, c.leaves)
	err := scan(raw, c.root, values, false)
	paths := map[int]string{c.idLeaf: schemas.FieldID}
	for i, k := range c.res.Key {
		paths[c.keyLeaf[i]] = k
	}
	for _, f := range c.fields {
		paths[f.leaf] = f.path
	}
	if _, isPath := err.(*pathError); err != nil && !isPath {
		t.Fatalf("scan refused valid JSON %s: %v", raw, err)
	}
	for leaf, path := range paths {
		want, ok := reference(t, raw, path)
		if !ok {
			if err == nil {
				t.Errorf("%s: path %s crosses a non-object, scan said nothing", raw, path)
			}
			continue
		}
		if got := goValue(values[leaf]); err == nil && !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s = %#v, encoding/json %#v", c.res.Name, path, got, want)
		}
	}
}

func scanCorpus() []string {
	return []string{
		`{}`, ` {"id": "a"} `, `{"id":"a","id":"b"}`,
		`{"id": "a\"b\\c\/d\u00e9\ud83d\ude00\ud800x\b\f\n\r\t"}`,
		`{"i\u0064": "escaped key", "text": "x"}`,
		`{"id": "a", "amount": -0.5e-3, "count": 0, "flag": true, "text": null, "day": "2024-01-01"}`,
		`{"id": "a", "account": {"balance": {"current": 1, "x": [1, {"y": []}]}, "z": {}}}`,
		`{"id": "a", "account": {"balance": 5}}`,
		`{"id": "a", "account": "text"}`,
		`{"id": "a", "account": [1]}`,
		`{"id": "a", "key": {"a": {"nested": 1}, "b": [2]}}`,
		// A repeated member replaces the earlier one's subtree: leaves the
		// first one set read null once the second lacks them.
		`{"id": "a", "account": {"balance": {"current": 1}}, "account": null}`,
		`{"id": "a", "account": {"balance": {"current": 1}}, "account": {}}`,
		`{"id": "a", "account": {"balance": {"current": 1}}, "account": {"balance": {"available": 2}}}`,
		`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":.5}`, `{"a":1e}`, `{"a":+1}`,
		"{\"a\":\"\x01\"}", `{"a":"\q"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`,
		`{"a":tru}`, `{"a":nul}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		"{\"id\":\"caf\xe9\"}", // Latin-1, not UTF-8
		`{"a":1`, `{"a":"x`, `{"a":[`, `{"a":1}}`, `{"a":1} x`, `{a:1}`, `{'a':1}`, ``, `[]`, `null`, `"s"`,
	}
}

// The scanner accepts exactly what encoding/json accepts (as one object),
// and reads the same values.
func TestScanValidity(t *testing.T) {
	c := probe(t)
	for _, in := range scanCorpus() {
		checkScan(t, c, []byte(in))
	}
}

func checkScan(t testing.TB, c *Converter, raw []byte) {
	values := make([]leaf, c.leaves)
	err := scan(raw, c.root, values, false)
	_, isPath := err.(*pathError)
	valid := json.Valid(raw) && utf8.Valid(raw) && bytes.HasPrefix(bytes.TrimLeft(raw, " \t\r\n"), []byte("{"))
	if valid != (err == nil || isPath) {
		t.Fatalf("%q: scan error %v, encoding/json valid %v", raw, err, valid)
	}
	if json.Valid(raw) {
		trusted := make([]leaf, c.leaves)
		terr := scan(raw, c.root, trusted, true)
		if (terr == nil) != (err == nil) || terr != nil && terr.Error() != err.Error() || !reflect.DeepEqual(trusted, values) {
			t.Fatalf("%q: scan of valid text differs: %v %+v; validating %v %+v", raw, terr, trusted, err, values)
		}
	}
	if valid {
		compareScan(t, c, raw)
	}
}

// TestScanDepth pins maxDepth in both modes: a page (valid JSON to
// encoding/json's deeper limit) can hold a record too deep for a record.
func TestScanDepth(t *testing.T) {
	c := probe(t)
	for _, valid := range []bool{false, true} {
		deep := `{"x":` + strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1) + `}`
		if err := scan([]byte(deep), c.root, make([]leaf, c.leaves), valid); err == nil || !strings.Contains(err.Error(), "nested too deeply") {
			t.Errorf("valid=%v: nesting beyond maxDepth: %v", valid, err)
		}
		ok := `{"x":` + strings.Repeat("[", maxDepth-2) + strings.Repeat("]", maxDepth-2) + `}`
		if err := scan([]byte(ok), c.root, make([]leaf, c.leaves), valid); err != nil {
			t.Errorf("valid=%v: nesting within maxDepth: %v", valid, err)
		}
	}
}

func FuzzScan(f *testing.F) {
	for _, in := range scanCorpus() {
		f.Add([]byte(in))
	}
	c := probe(f)
	f.Fuzz(func(t *testing.T, raw []byte) {
		if bytes.Count(raw, []byte("[")) > maxDepth/2 {
			t.Skip() // depth has its own test; encoding/json allows more
		}
		checkScan(t, c, raw)
	})
}
