// Command k8sschemas lays out JSON schemas where kubeconform finds them
// without the network, from artifacts that package registries serve:
//
//   - Kubernetes kinds from the kubernetes-validate wheel (PyPI), whose
//     "local-strict" schemas point at a shared _definitions.json through an
//     absolute https $id. The $ids are dropped and the references made
//     relative, so kubeconform's file loader resolves them next to the kind:
//     OUT/v<version>-local-strict/<kind>-<group>-<version>.json
//   - custom resources from CustomResourceDefinition YAML (Strimzi's from
//     the io.strimzi:api tests jar on Maven Central, KEDA's from the
//     github.com/kedacore/keda/v2 Go module), converted as
//     openapi2jsonschema does, strict (unknown fields refused):
//     OUT/crds/<group>/<kind>_<version>.json
//
// Usage:
//
//	k8sschemas -out DIR [-wheel FILE.whl -kubernetes-version 1.35.0] [-crd SRC]...
//
// SRC is a YAML file or glob, or ARCHIVE!GLOB for files inside a zip or jar.
package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"

	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	out := flag.String("out", "", "output directory")
	wheel := flag.String("wheel", "", "kubernetes-validate wheel")
	kube := flag.String("kubernetes-version", "", "Kubernetes version of the wheel's schemas to lay out, e.g. 1.35.0")
	var crds multi
	flag.Var(&crds, "crd", "CRD YAML: file, glob, or ARCHIVE!GLOB (repeatable)")
	flag.Parse()
	if *out == "" || (*wheel == "") != (*kube == "") {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*out, *wheel, *kube, crds); err != nil {
		fmt.Fprintln(os.Stderr, "k8sschemas:", err)
		os.Exit(1)
	}
}

func run(out, wheel, kube string, crds []string) error {
	if wheel != "" {
		n, err := kubernetesSchemas(out, wheel, strings.TrimPrefix(kube, "v"))
		if err != nil {
			return err
		}
		fmt.Printf("k8sschemas: %d Kubernetes %s schemas from %s\n", n, kube, filepath.Base(wheel))
	}
	for _, src := range crds {
		docs, err := readSources(src)
		if err != nil {
			return err
		}
		if len(docs) == 0 {
			return fmt.Errorf("%s: no file", src)
		}
		var written []string
		for _, d := range docs {
			w, err := convertCRDs(out, d.name, d.data)
			if err != nil {
				return err
			}
			written = append(written, w...)
		}
		if len(written) == 0 {
			return fmt.Errorf("%s: no CustomResourceDefinition", src)
		}
		fmt.Printf("k8sschemas: %d CRD schemas from %s\n", len(written), src)
	}
	return nil
}

// kubernetesSchemas extracts v<version>-local-strict of the wheel.
func kubernetesSchemas(out, wheel, version string) (int, error) {
	zr, err := zip.OpenReader(wheel)
	if err != nil {
		return 0, err
	}
	defer zr.Close()
	dir := "v" + version + "-local-strict"
	prefix := "kubernetes_validate/kubernetes-json-schema/" + dir + "/"
	dst := filepath.Join(out, dir)
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	n := 0
	for _, f := range zr.File {
		if !strings.HasPrefix(f.Name, prefix) || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		b, err := readZip(f)
		if err != nil {
			return 0, err
		}
		b = bytes.ReplaceAll(b, []byte(`"/api/_definitions.json#`), []byte(`"_definitions.json#`))
		name := path.Base(f.Name)
		if name != "_definitions.json" {
			// The kind's https $id would make the relative reference
			// resolve against kubernetes.io, i.e. the network.
			var doc map[string]any
			if err := json.Unmarshal(b, &doc); err != nil {
				return 0, fmt.Errorf("%s: %w", f.Name, err)
			}
			delete(doc, "$id")
			if b, err = json.Marshal(doc); err != nil {
				return 0, err
			}
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return 0, err
		}
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("%s has no %s: pick a version it ships", wheel, prefix)
	}
	return n, nil
}

func readZip(f *zip.File) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

type source struct {
	name string
	data []byte
}

// readSources returns the files a -crd argument names, sorted by name.
func readSources(src string) ([]source, error) {
	var out []source
	if archive, glob, ok := strings.Cut(src, "!"); ok {
		zr, err := zip.OpenReader(archive)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		for _, f := range zr.File {
			if m, _ := path.Match(glob, f.Name); !m {
				continue
			}
			b, err := readZip(f)
			if err != nil {
				return nil, err
			}
			out = append(out, source{archive + "!" + f.Name, b})
		}
	} else {
		files, err := filepath.Glob(src)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			out = append(out, source{f, b})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out, nil
}

type crd struct {
	Kind string `json:"kind"`
	Spec struct {
		Group string `json:"group"`
		Names struct {
			Kind string `json:"kind"`
		} `json:"names"`
		Versions []struct {
			Name   string `json:"name"`
			Schema struct {
				OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
			} `json:"schema"`
		} `json:"versions"`
	} `json:"spec"`
}

// convertCRDs writes a schema per version of every CRD in a YAML stream.
func convertCRDs(out, name string, data []byte) ([]string, error) {
	var written []string
	for i, doc := range splitYAML(data) {
		var c crd
		if err := yaml.Unmarshal(doc, &c); err != nil {
			return nil, fmt.Errorf("%s document %d: %w", name, i+1, err)
		}
		if c.Kind != "CustomResourceDefinition" {
			continue
		}
		for _, v := range c.Spec.Versions {
			if v.Schema.OpenAPIV3Schema == nil {
				return nil, fmt.Errorf("%s: %s %s has no openAPIV3Schema", name, c.Spec.Names.Kind, v.Name)
			}
			s := jsonSchema(v.Schema.OpenAPIV3Schema)
			b, err := json.MarshalIndent(s, "", "  ")
			if err != nil {
				return nil, err
			}
			dst := filepath.Join(out, "crds", c.Spec.Group, strings.ToLower(c.Spec.Names.Kind)+"_"+v.Name+".json")
			if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
				return nil, err
			}
			if err := os.WriteFile(dst, append(b, '\n'), 0o644); err != nil {
				return nil, err
			}
			written = append(written, dst)
		}
	}
	return written, nil
}

func splitYAML(data []byte) [][]byte {
	var docs [][]byte
	for _, d := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(d)) > 0 {
			docs = append(docs, d)
		}
	}
	return docs
}

// jsonSchema turns a structural OpenAPI v3 schema into JSON Schema (draft 4,
// kubeconform's default) the way openapi2jsonschema does: int-or-string
// becomes a oneOf, nullable adds "null", and every object that lists its
// properties refuses others unless it preserves unknown fields.
func jsonSchema(node any) any {
	switch n := node.(type) {
	case []any:
		out := make([]any, len(n))
		for i, v := range n {
			out[i] = jsonSchema(v)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(n))
		for k, v := range n {
			switch k {
			case "properties", "patternProperties", "definitions":
				// Maps of name to schema: keys are names, not keywords.
				if m, ok := v.(map[string]any); ok {
					props := make(map[string]any, len(m))
					for name, s := range m {
						props[name] = jsonSchema(s)
					}
					out[k] = props
					continue
				}
			}
			out[k] = jsonSchema(v)
		}
		if b, _ := n["x-kubernetes-int-or-string"].(bool); b {
			delete(out, "type")
			delete(out, "format")
			out["oneOf"] = []any{map[string]any{"type": "string"}, map[string]any{"type": "integer"}}
		}
		if b, _ := n["nullable"].(bool); b {
			if t, ok := out["type"].(string); ok {
				out["type"] = []any{t, "null"}
			}
		}
		_, hasProps := n["properties"]
		_, hasAdditional := n["additionalProperties"]
		preserve, _ := n["x-kubernetes-preserve-unknown-fields"].(bool)
		if hasProps && !hasAdditional && !preserve {
			out["additionalProperties"] = false
		}
		return out
	default:
		return node
	}
}
