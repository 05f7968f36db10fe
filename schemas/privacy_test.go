package schemas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// templatesDir holds the emulator's example record of every resource.
const templatesDir = "../internal/emulator/templates"

// Every protected path must name something Belvo sends: a path that
// exists nowhere protects nothing, and a typo would leave the real value
// in plain text. A path counts when the resource's OpenAPI component (or
// another shape its list returns) or the emulator's example has it.
func TestPrivacyPathsExist(t *testing.T) {
	specs := map[string]spec{"1.223.0": loadSpec(t, "1.223.0"), "1.59.0": loadSpec(t, "1.59.0")}
	shapes := map[string][]shape{
		"owners":       {{"1.223.0", "OwnerBusinessOpenFinanceBrazil"}, {"1.223.0", "Owner"}},
		"tax_returns":  {{"1.223.0", "TaxReturnPersonalMonthly"}, {"1.223.0", "TaxReturnBusiness"}, {"1.223.0", "TaxReturnBusinessMonthly"}},
		"accounts":     {{"1.59.0", "Account"}},
		"transactions": {{"1.59.0", "Transaction"}},
	}
	for name, rules := range Privacy {
		res, ok := ResourceByName(name)
		if !ok {
			t.Errorf("privacy policy names unknown resource %q", name)
			continue
		}
		example := readTemplate(t, name)
		seen := map[string]bool{}
		for _, r := range rules {
			if seen[r.Path] {
				t.Errorf("%s: path %s listed twice", name, r.Path)
			}
			seen[r.Path] = true
			if r.Protect != Hash && r.Protect != Drop {
				t.Errorf("%s.%s: protection %d is neither Hash nor Drop", name, r.Path, r.Protect)
			}
			found := jsonHas(example, strings.Split(r.Path, "."))
			for _, sh := range append([]shape{{res.Spec, res.Component}}, shapes[name]...) {
				found = found || specs[sh.spec].has(sh.component, r.Path)
			}
			if !found {
				t.Errorf("%s: protected path %s is in no OpenAPI shape of the list nor in the emulator's example", name, r.Path)
			}
		}
	}
}

// A hashed value is a string: a typed column of another kind would refuse
// it and dead-letter the record, so such paths must be dropped.
func TestPrivacyHashesOnlyStringColumns(t *testing.T) {
	for name, rules := range Privacy {
		res, _ := ResourceByName(name)
		for _, r := range rules {
			for _, f := range append(append([]Field(nil), res.Fields...), keyFields(res)...) {
				covered := f.Path() == r.Path || strings.HasPrefix(f.Path(), r.Path+".")
				if covered && r.Protect == Hash && f.Kind != String && f.Kind != Enum {
					t.Errorf("%s.%s: hashed, but column %s is %v: use Drop", name, r.Path, f.Name, f.Kind)
				}
			}
		}
	}
}

func keyFields(r Resource) []Field {
	var out []Field
	for _, k := range r.Key {
		out = append(out, Field{Name: k, JSON: k, Kind: String})
	}
	return out
}

func readTemplate(t *testing.T, name string) any {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(templatesDir, name+".json"))
	if err != nil {
		t.Fatalf("example of %s: %v", name, err)
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatalf("example of %s: %v", name, err)
	}
	return v
}

// jsonHas walks segs through objects, crossing arrays.
func jsonHas(v any, segs []string) bool {
	if len(segs) == 0 {
		return true
	}
	switch v := v.(type) {
	case map[string]any:
		child, ok := v[segs[0]]
		return ok && jsonHas(child, segs[1:])
	case []any:
		for _, e := range v {
			if jsonHas(e, segs) {
				return true
			}
		}
	}
	return false
}

// has is lookup crossing arrays (their items) on the way.
func (s spec) has(component, path string) bool {
	nodes := []map[string]any{s.resolve(s.schemas[component])}
	for _, seg := range strings.Split(path, ".") {
		var next []map[string]any
		for _, n := range nodes {
			for n != nil && n["type"] == "array" {
				n = s.resolve(n["items"])
			}
			if n == nil {
				continue
			}
			for _, alt := range s.alternatives(n) {
				if alt["type"] == "object" && alt["properties"] == nil && alt["allOf"] == nil {
					return true
				}
				next = append(next, s.property(alt, seg)...)
			}
		}
		if len(next) == 0 {
			return false
		}
		nodes = next
	}
	return true
}
