package main

import (
	"bytes"
	"fmt"
	"strconv"

	"sigs.k8s.io/yaml"
)

// object is one Kubernetes object as generic JSON.
type object map[string]any

func parseObjects(data []byte) ([]object, error) {
	var out []object
	for i, doc := range bytes.Split(append([]byte("\n"), data...), []byte("\n---")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		var o object
		if err := yaml.Unmarshal(doc, &o); err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if o != nil {
			out = append(out, o)
		}
	}
	return out, nil
}

func (o object) kind() string       { return str(o, "kind") }
func (o object) apiVersion() string { return str(o, "apiVersion") }
func (o object) name() string       { return str(o, "metadata", "name") }
func (o object) ref() string        { return o.kind() + "/" + o.name() }

// get walks maps by key and lists by index (an int in path).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				if o, isObj := v.(object); isObj {
					m = o
				} else {
					return nil
				}
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func str(v any, path ...any) string {
	s, _ := get(v, path...).(string)
	return s
}

func list(v any, path ...any) []any {
	l, _ := get(v, path...).([]any)
	return l
}

func mapOf(v any, path ...any) map[string]any {
	m, _ := get(v, path...).(map[string]any)
	return m
}

// number reads an integer that YAML may have given as a number or a string.
func number(v any, path ...any) (int, bool) {
	switch n := get(v, path...).(type) {
	case float64:
		return int(n), true
	case string:
		i, err := strconv.Atoi(n)
		return i, err == nil
	}
	return 0, false
}

func byKind(objs []object, kind string) []object {
	var out []object
	for _, o := range objs {
		if o.kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func find(objs []object, kind, name string) object {
	for _, o := range objs {
		if o.kind() == kind && o.name() == name {
			return o
		}
	}
	return nil
}

// podSpec returns the pod template's spec of a workload, or nil.
func podSpec(o object) map[string]any {
	switch o.kind() {
	case "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet":
		return mapOf(o, "spec", "template", "spec")
	case "CronJob":
		return mapOf(o, "spec", "jobTemplate", "spec", "template", "spec")
	case "Pod":
		return mapOf(o, "spec")
	}
	return nil
}

func containers(spec map[string]any) []map[string]any {
	var out []map[string]any
	for _, key := range []string{"initContainers", "containers"} {
		for _, c := range list(spec, key) {
			if m, ok := c.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// envValue is a container's env entry: a literal or a Secret key.
type envValue struct {
	value            string
	secret, key      string
	fromSecret, seen bool
}

func containerEnv(c map[string]any, name string) envValue {
	for _, e := range list(c, "env") {
		if str(e, "name") != name {
			continue
		}
		if ref := mapOf(e, "valueFrom", "secretKeyRef"); ref != nil {
			return envValue{secret: str(ref, "name"), key: str(ref, "key"), fromSecret: true, seen: true}
		}
		return envValue{value: str(e, "value"), seen: true}
	}
	return envValue{}
}

// configMapEnv merges the data of the ConfigMaps a container reads whole
// (envFrom), later ones winning as in Kubernetes.
func configMapEnv(objs []object, c map[string]any) map[string]string {
	out := map[string]string{}
	for _, from := range list(c, "envFrom") {
		name := str(from, "configMapRef", "name")
		if name == "" {
			continue
		}
		for k, v := range mapOf(find(objs, "ConfigMap", name), "data") {
			if s, ok := v.(string); ok {
				out[k] = s
			}
		}
	}
	return out
}
