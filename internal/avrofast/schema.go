// Package avrofast decodes Avro binary records straight into the values a
// consumer keeps, without goavro's generic map[string]any of the whole
// record: a Projection, compiled once per writer schema, walks the writer's
// fields in order, decodes the fields asked for into Go values (unions of
// null and one type unwrapped, decimals as decimal.Decimal) and skips the
// rest without allocating.
//
// It exists because goavro's NativeFromBinary spent most of the sink's time
// building a map per record and a map per union value (see the sink's
// BenchmarkDecodeRow). It supports only what it can decode exactly as
// goavro would; Project returns ErrUnsupported for anything else, and the
// caller keeps goavro for that schema.
package avrofast

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrUnsupported marks a schema or projection the fast path does not
// handle; the caller decodes with goavro instead.
var ErrUnsupported = errors.New("avrofast: unsupported")

// Kind is an Avro type.
type Kind uint8

// Avro types.
const (
	Null Kind = iota
	Boolean
	Int
	Long
	Float
	Double
	Bytes
	String
	Record
	Enum
	Array
	Map
	Union
	Fixed
)

var primitives = map[string]Kind{
	"null": Null, "boolean": Boolean, "int": Int, "long": Long,
	"float": Float, "double": Double, "bytes": Bytes, "string": String,
}

// Type is a parsed Avro schema node. Named types referenced again share
// one *Type, so a recursive schema is a cyclic graph.
type Type struct {
	Kind     Kind
	Name     string // full name of a record, enum or fixed
	Logical  string // logicalType, "" when none
	Scale    int    // decimal
	Fields   []Field
	Items    *Type   // array items, map values
	Branches []*Type // union
	Symbols  int     // enum
	Size     int     // fixed
}

// Field is one field of a record.
type Field struct {
	Name string
	Type *Type
}

// Parse parses an Avro schema in JSON.
func Parse(schema string) (*Type, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(schema))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("avrofast: schema is not JSON: %w", err)
	}
	p := parser{named: map[string]*Type{}}
	return p.parse(v, "")
}

type parser struct{ named map[string]*Type }

func fullName(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
}

func (p *parser) parse(v any, namespace string) (*Type, error) {
	switch s := v.(type) {
	case string:
		if k, ok := primitives[s]; ok {
			return &Type{Kind: k}, nil
		}
		if t := p.named[fullName(s, namespace)]; t != nil {
			return t, nil
		}
		if t := p.named[s]; t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("avrofast: unknown type %q", s)
	case []any:
		u := &Type{Kind: Union}
		for _, b := range s {
			t, err := p.parse(b, namespace)
			if err != nil {
				return nil, err
			}
			u.Branches = append(u.Branches, t)
		}
		return u, nil
	case map[string]any:
		return p.parseObject(s, namespace)
	}
	return nil, fmt.Errorf("avrofast: unexpected schema %T", v)
}

func (p *parser) parseObject(m map[string]any, namespace string) (*Type, error) {
	typ, _ := m["type"].(string)
	logical, _ := m["logicalType"].(string)
	if k, ok := primitives[typ]; ok {
		t := &Type{Kind: k, Logical: logical}
		if logical == "decimal" {
			scale, err := intMember(m, "scale", 0)
			if err != nil {
				return nil, err
			}
			t.Scale = scale
		}
		return t, nil
	}
	if typ == "" {
		// {"type": {...}} or {"type": [...]}: the type is nested.
		if inner, ok := m["type"]; ok {
			return p.parse(inner, namespace)
		}
		return nil, errors.New("avrofast: schema object without type")
	}
	name := func() string {
		n, _ := m["name"].(string)
		ns, ok := m["namespace"].(string)
		if !ok {
			ns = namespace
		}
		return fullName(n, ns)
	}
	spaceOf := func(full string) string {
		if i := strings.LastIndex(full, "."); i >= 0 {
			return full[:i]
		}
		return ""
	}
	switch typ {
	case "record", "error":
		t := &Type{Kind: Record, Name: name()}
		p.named[t.Name] = t // before the fields: they may refer to it
		fields, _ := m["fields"].([]any)
		for _, f := range fields {
			fm, ok := f.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("avrofast: field of %s is not an object", t.Name)
			}
			fname, _ := fm["name"].(string)
			ft, err := p.parse(fm["type"], spaceOf(t.Name))
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, Field{Name: fname, Type: ft})
		}
		return t, nil
	case "enum":
		syms, _ := m["symbols"].([]any)
		t := &Type{Kind: Enum, Name: name(), Symbols: len(syms), Logical: logical}
		p.named[t.Name] = t
		return t, nil
	case "fixed":
		size, err := intMember(m, "size", -1)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("avrofast: fixed without a size")
		}
		t := &Type{Kind: Fixed, Name: name(), Size: size, Logical: logical}
		p.named[t.Name] = t
		return t, nil
	case "array":
		items, err := p.parse(m["items"], namespace)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Array, Items: items, Logical: logical}, nil
	case "map":
		values, err := p.parse(m["values"], namespace)
		if err != nil {
			return nil, err
		}
		return &Type{Kind: Map, Items: values, Logical: logical}, nil
	}
	// A named type referenced as {"type": "Name"}.
	return p.parse(typ, namespace)
}

func intMember(m map[string]any, key string, def int) (int, error) {
	v, ok := m[key]
	if !ok {
		return def, nil
	}
	n, ok := v.(json.Number)
	if !ok {
		return 0, fmt.Errorf("avrofast: %s is %v, not a number", key, v)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("avrofast: %s is %v, not an integer", key, v)
	}
	return int(i), nil
}
