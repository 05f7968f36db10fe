package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/finflow/belvo-pipeline/schemas"
)

// specPath is Belvo's OpenAPI document; CI has ../shared beside the repo.
const specPath = "../../../shared/belvo/openapi/BelvoOpenApiSpec.json"

// openapiToJSONSchema rewrites OpenAPI 3.0 idioms JSON Schema 2020-12
// reads differently: nullable becomes a null type, boolean exclusive
// bounds become numeric ones, and $ref siblings (ignored by OpenAPI 3.0)
// are dropped. It also works around three defects of Belvo's document
// (listed in templates/SOURCES.md): patterns wrapped in typographic
// quotes, ECMAScript look-arounds, required names with no property, and
// overlapping oneOf branches.
func openapiToJSONSchema(v any) any {
	switch n := v.(type) {
	case []any:
		for i := range n {
			n[i] = openapiToJSONSchema(n[i])
		}
		return n
	case map[string]any:
		for k, c := range n {
			if k == "example" || k == "examples" {
				continue
			}
			n[k] = openapiToJSONSchema(c)
		}
		for _, b := range []struct{ excl, bound string }{{"exclusiveMinimum", "minimum"}, {"exclusiveMaximum", "maximum"}} {
			if on, ok := n[b.excl].(bool); ok {
				if on {
					n[b.excl] = n[b.bound]
					delete(n, b.bound)
				} else {
					delete(n, b.excl)
				}
			}
		}
		if alts, ok := n["oneOf"]; ok {
			// Belvo's oneOf branches overlap (its own owner example
			// matches two), so exclusivity is not part of the contract.
			delete(n, "oneOf")
			n["anyOf"] = alts
		}
		if p, ok := n["pattern"].(string); ok {
			p = strings.TrimSuffix(strings.TrimPrefix(p, "\u2018"), "\u2019")
			if strings.Contains(p, "(?!") || strings.Contains(p, "(?=") || strings.Contains(p, "(?<") {
				delete(n, "pattern")
			} else {
				n["pattern"] = p
			}
		}
		if props, ok := n["properties"].(map[string]any); ok {
			if req, ok := n["required"].([]any); ok {
				kept := req[:0]
				for _, r := range req {
					if _, defined := props[r.(string)]; defined {
						kept = append(kept, r)
					}
				}
				n["required"] = kept
			}
		}
		if ref, ok := n["$ref"]; ok {
			nullable, _ := n["nullable"].(bool)
			for k := range n {
				delete(n, k)
			}
			if nullable {
				n["anyOf"] = []any{map[string]any{"$ref": ref}, map[string]any{"type": "null"}}
			} else {
				n["$ref"] = ref
			}
			return n
		}
		if nullable, _ := n["nullable"].(bool); nullable {
			delete(n, "nullable")
			if t, ok := n["type"].(string); ok {
				n["type"] = []any{t, "null"}
				if enum, ok := n["enum"].([]any); ok && !containsNil(enum) {
					n["enum"] = append(enum, nil)
				}
			} else {
				inner := map[string]any{}
				for k, c := range n {
					inner[k] = c
					delete(n, k)
				}
				n["anyOf"] = []any{inner, map[string]any{"type": "null"}}
			}
		}
		return n
	}
	return v
}

func containsNil(xs []any) bool {
	for _, x := range xs {
		if x == nil {
			return true
		}
	}
	return false
}

// spec compiles schemas out of Belvo's OpenAPI document, once per test run.
type spec struct {
	once sync.Once
	c    *jsonschema.Compiler
	err  error
}

func (s *spec) compile(t *testing.T, pointer string) *jsonschema.Schema {
	t.Helper()
	s.once.Do(func() {
		raw, err := os.ReadFile(specPath)
		if err != nil {
			s.err = err
			return
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			s.err = err
			return
		}
		s.c = jsonschema.NewCompiler()
		s.c.DefaultDraft(jsonschema.Draft2020)
		s.err = s.c.AddResource("belvo.json", openapiToJSONSchema(doc))
	})
	if s.err != nil {
		t.Fatalf("load %s: %v", specPath, s.err)
	}
	sch, err := s.c.Compile("belvo.json#" + pointer)
	if err != nil {
		t.Fatalf("compile %s: %v", pointer, err)
	}
	return sch
}

// listSchema is the JSON pointer of the 200 answer of GET path.
func listSchema(path string) string {
	p := strings.ReplaceAll(path, "/", "~1")
	return "/paths/" + p + "/get/responses/200/content/application~1json/schema"
}

func validate(t *testing.T, sch *jsonschema.Schema, what string, body []byte) {
	t.Helper()
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: not JSON: %v", what, err)
	}
	if err := sch.Validate(v); err != nil {
		t.Errorf("%s does not validate against Belvo's OpenAPI schema:\n%v", what, err)
	}
}

// TestListResponsesValidateAgainstBelvoOpenAPI pins that every list
// endpoint answers in the shape Belvo's own specification gives it,
// including records added today and invoices cancelled by the scenario.
func TestListResponsesValidateAgainstBelvoOpenAPI(t *testing.T) {
	var sp spec
	rc := newReceiver(t)
	e, srv := start(t, Config{Records: 12, WebhookURL: rc.srv.URL + "/webhooks/belvo"})
	if _, err := e.RunScenario(t.Context()); err != nil {
		t.Fatal(err)
	}
	link := e.Links()[0].ID
	for _, res := range schemas.Resources {
		t.Run(res.Name, func(t *testing.T) {
			status, body := get(t, e, srv, res.Path, url.Values{"link": {link}, "page_size": {"1000"}})
			if status != 200 {
				t.Fatalf("GET %s: %d %s", res.Path, status, body)
			}
			var p page
			if err := json.Unmarshal(body, &p); err != nil || len(p.Results) == 0 {
				t.Fatalf("GET %s: %v, %d results", res.Path, err, len(p.Results))
			}
			validate(t, sp.compile(t, listSchema(res.Path)), "GET "+res.Path, body)
			// The component schemas.Resources names is the one the
			// pipeline types its fields from: every record must fit it.
			if res.Spec != "1.223.0" {
				t.Fatalf("%s: spec %s is not checked here", res.Name, res.Spec)
			}
			comp := sp.compile(t, "/components/schemas/"+res.Component)
			for i, r := range p.Results {
				validate(t, comp, fmt.Sprintf("%s record %d as %s", res.Name, i, res.Component), r)
			}
		})
	}
	t.Run("links", func(t *testing.T) {
		status, body := get(t, e, srv, "/api/links/", nil)
		if status != 200 {
			t.Fatalf("GET /api/links/: %d %s", status, body)
		}
		validate(t, sp.compile(t, listSchema("/api/links/")), "GET /api/links/", body)
	})
}
