package schemas

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// specDir is where CI checks out the shared Belvo material beside the repo.
const specDir = "../../shared/belvo/openapi"

func TestResourcesValidate(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Resources {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if names[r.Name] {
			t.Errorf("resource %s listed twice", r.Name)
		}
		names[r.Name] = true
		if len(r.Fields) < 5 {
			t.Errorf("resource %s: only %d typed fields", r.Name, len(r.Fields))
		}
	}
}

// The validator guards the generators; each case is a mistake a new row
// could make and that would otherwise surface as a broken schema or table.
func TestValidateRejects(t *testing.T) {
	base := Resource{Name: "things", Path: "/api/things/", Spec: "1.223.0", Component: "Thing"}
	cases := []struct {
		name   string
		fields []Field
		key    []string
		want   string
	}{
		{"upper-case name", []Field{{Name: "Amount", Kind: Decimal}}, nil, "snake_case"},
		{"duplicate", []Field{{Name: "amount", Kind: Decimal}, {Name: "amount", Kind: String}}, nil, "twice or reserved"},
		{"shadows lineage", []Field{{Name: "fetched_at", Kind: Timestamp}}, nil, "twice or reserved"},
		{"shadows kafka column", []Field{{Name: "offset", Kind: Int}}, nil, "twice or reserved"},
		{"unknown kind", []Field{{Name: "x", Kind: Enum + 1}}, nil, "unknown kind"},
		{"empty path segment", []Field{{Name: "x", JSON: "account..id"}}, nil, "malformed JSON path"},
		{"bad key", nil, []string{"a."}, "malformed JSON path"},
	}
	for _, c := range cases {
		r := base
		r.Fields, r.Key = c.fields, c.key
		err := r.Validate()
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want error containing %q", c.name, err, c.want)
		}
	}
}

type spec struct {
	doc     map[string]any
	schemas map[string]any
}

func loadSpec(t *testing.T, version string) spec {
	t.Helper()
	file := filepath.Join(specDir, "BelvoOpenApiSpec.json")
	if version != "1.223.0" {
		file = filepath.Join(specDir, "historical", "BelvoOpenApiSpec-"+version+".json")
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("read spec %s: %v", version, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatalf("parse spec %s: %v", version, err)
	}
	return spec{doc: doc, schemas: doc["components"].(map[string]any)["schemas"].(map[string]any)}
}

func (s spec) resolve(node any) map[string]any {
	m, _ := node.(map[string]any)
	for m != nil {
		ref, ok := m["$ref"].(string)
		if !ok {
			break
		}
		m, _ = s.schemas[strings.TrimPrefix(ref, "#/components/schemas/")].(map[string]any)
	}
	return m
}

// property finds name in an object schema, looking through allOf, and
// returns every schema it may have (oneOf/anyOf give several).
func (s spec) property(node any, name string) []map[string]any {
	m := s.resolve(node)
	if m == nil {
		return nil
	}
	var out []map[string]any
	if props, ok := m["properties"].(map[string]any); ok {
		if p := s.resolve(props[name]); p != nil {
			out = append(out, s.alternatives(p)...)
		}
	}
	if all, ok := m["allOf"].([]any); ok {
		for _, part := range all {
			out = append(out, s.property(part, name)...)
		}
	}
	return out
}

func (s spec) alternatives(m map[string]any) []map[string]any {
	for _, k := range []string{"oneOf", "anyOf", "allOf"} {
		if alts, ok := m[k].([]any); ok && m["properties"] == nil {
			var out []map[string]any
			for _, a := range alts {
				out = append(out, s.alternatives(s.resolve(a))...)
			}
			return out
		}
	}
	return []map[string]any{m}
}

// lookup walks a dotted path from a component. A free-form object (no
// properties declared, like tax returns' informacion_general) accepts any
// remainder; it returns the leaf schemas, or nil when the path is absent.
func (s spec) lookup(component, path string) ([]map[string]any, bool) {
	nodes := []map[string]any{s.resolve(s.schemas[component])}
	for _, seg := range strings.Split(path, ".") {
		var next []map[string]any
		for _, n := range nodes {
			if n["type"] == "object" && n["properties"] == nil && n["allOf"] == nil {
				return nil, true
			}
			next = append(next, s.property(n, seg)...)
		}
		if len(next) == 0 {
			return nil, false
		}
		nodes = next
	}
	return nodes, true
}

// specAccepts says which OpenAPI types a kind may read. Date accepts any
// string, date-time included: the Date kind takes its date part (Mexico's
// accounting_date), and several dates are declared without a format.
func specAccepts(k Kind, typ, format string) bool {
	switch k {
	case Decimal, Float:
		return typ == "number" || typ == "integer"
	case Int:
		return typ == "integer"
	case Bool:
		return typ == "boolean"
	case Date:
		return typ == "string"
	case Timestamp:
		return typ == "string" && (format == "date-time" || format == "")
	}
	return typ == "string"
}

func TestComponentIsListRecord(t *testing.T) {
	specs := map[string]spec{}
	for _, r := range Resources {
		if _, ok := specs[r.Spec]; !ok {
			specs[r.Spec] = loadSpec(t, r.Spec)
		}
		s := specs[r.Spec]
		if s.schemas[r.Component] == nil {
			t.Errorf("%s: component %s not in spec %s", r.Name, r.Component, r.Spec)
			continue
		}
		get, _ := s.doc["paths"].(map[string]any)[r.Path].(map[string]any)["get"].(map[string]any)
		if get == nil {
			t.Errorf("%s: no GET %s in spec %s", r.Name, r.Path, r.Spec)
			continue
		}
		body, _ := json.Marshal(get["responses"].(map[string]any)["200"])
		if !strings.Contains(string(body), `"#/components/schemas/`+r.Component+`"`) {
			t.Errorf("%s: GET %s 200 does not list %s records", r.Name, r.Path, r.Component)
		}
	}
}

// shapes are the other record shapes a list endpoint returns (see the
// comments in Resources). For accounts and transactions a typed field may
// exist in one region's shape only, but where both have it, both types must
// be readable by its kind.
type shape struct{ spec, component string }

func TestFieldPathsInSpec(t *testing.T) {
	alternatives := map[string][]shape{
		"owners":      {{"1.223.0", "OwnerBusinessOpenFinanceBrazil"}, {"1.223.0", "Owner"}},
		"tax_returns": {{"1.223.0", "TaxReturnPersonalMonthly"}, {"1.223.0", "TaxReturnBusiness"}, {"1.223.0", "TaxReturnBusinessMonthly"}},
	}
	everyShape := map[string]shape{
		"accounts":     {"1.59.0", "Account"},
		"transactions": {"1.59.0", "Transaction"},
	}
	// Declared types the kind deliberately overrides, with the reason.
	typeExceptions := map[string]bool{
		"financial_statements.year": true, // declared string, example and reality are numbers
	}
	specs := map[string]spec{"1.223.0": loadSpec(t, "1.223.0"), "1.59.0": loadSpec(t, "1.59.0")}
	for _, r := range Resources {
		shapes := append([]shape{{r.Spec, r.Component}}, alternatives[r.Name]...)
		for _, f := range r.Fields {
			found := false
			for _, sh := range shapes {
				leaves, ok := specs[sh.spec].lookup(sh.component, f.Path())
				if !ok {
					continue
				}
				found = true
				for _, leaf := range leaves {
					typ, _ := leaf["type"].(string)
					format, _ := leaf["format"].(string)
					if !typeExceptions[r.Name+"."+f.Name] && !specAccepts(f.Kind, typ, format) {
						t.Errorf("%s.%s: kind %s cannot read %s %s (%s)", r.Name, f.Name, f.Kind, typ, format, sh.component)
					}
				}
			}
			if !found {
				t.Errorf("%s.%s: path %s is in no shape of the list", r.Name, f.Name, f.Path())
			}
			// A field of one region only is null in the other's records; where
			// both carry it, the kind must read the other's type too, or that
			// region's records would be refused.
			if other, ok := everyShape[r.Name]; ok {
				leaves, _ := specs[other.spec].lookup(other.component, f.Path())
				for _, leaf := range leaves {
					typ, _ := leaf["type"].(string)
					format, _ := leaf["format"].(string)
					if typ != "" && !specAccepts(f.Kind, typ, format) {
						t.Errorf("%s.%s: kind %s cannot read %s %s (%s %s)", r.Name, f.Name, f.Kind, typ, format, other.spec, other.component)
					}
				}
			}
		}
		for _, k := range r.Key {
			found := false
			for _, sh := range shapes {
				if _, ok := specs[sh.spec].lookup(sh.component, k); ok {
					found = true
				}
			}
			if !found {
				t.Errorf("%s key: path %s is in no shape of the list", r.Name, k)
			}
		}
	}
}

func TestFactsValidateAndNeverShadowAResource(t *testing.T) {
	names := map[string]bool{}
	for _, r := range Tables() {
		if err := r.Validate(); err != nil {
			t.Error(err)
		}
		if names[r.Name] {
			t.Errorf("%s is both a resource and a fact", r.Name)
		}
		names[r.Name] = true
	}
	for _, f := range Facts {
		if f.Path != "" {
			t.Errorf("fact %s has a Belvo path", f.Name)
		}
	}
}
