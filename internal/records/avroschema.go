package records

// The decoding half of the codec (this file, decode.go, rowdecode.go)
// reads Avro binary records straight into the values a consumer keeps,
// without goavro's generic map[string]any of the whole record: a
// projection, compiled once per writer schema, walks the writer's
// fields in order, decodes the fields asked for into Go values (unions of
// null and one type unwrapped, decimals as decimal.Decimal) and skips the
// rest without allocating.
//
// It exists because goavro's NativeFromBinary spent most of the sink's time
// building a map per record and a map per union value (see the sink's
// BenchmarkDecodeRow). It supports only what it can decode exactly as
// goavro would; project returns errUnsupported for anything else, and the
// caller keeps goavro for that schema.

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// errUnsupported marks a schema or projection the fast path does not
// handle; the caller decodes with goavro instead.
var errUnsupported = errors.New("records: avro: unsupported")

// Kind is an Avro type.
type avroKind uint8

// Avro types.
const (
	avroNull avroKind = iota
	avroBoolean
	avroInt
	avroLong
	avroFloat
	avroDouble
	avroBytes
	avroString
	avroRecord
	avroEnum
	avroArray
	avroMap
	avroUnion
	avroFixed
)

var primitives = map[string]avroKind{
	"null": avroNull, "boolean": avroBoolean, "int": avroInt, "long": avroLong,
	"float": avroFloat, "double": avroDouble, "bytes": avroBytes, "string": avroString,
}

// avroType is a parsed Avro schema node. Named types referenced again share
// one *avroType, so a recursive schema is a cyclic graph.
type avroType struct {
	Kind     avroKind
	Name     string // full name of a record, enum or fixed
	Logical  string // logicalType, "" when none
	Scale    int    // decimal
	Fields   []avroField
	Items    *avroType   // array items, map values
	Branches []*avroType // union
	Symbols  int         // enum
	Size     int         // fixed
}

// avroField is one field of a record.
type avroField struct {
	Name string
	Type *avroType
}

// Parse parses an Avro schema in JSON.
func parseAvro(schema string) (*avroType, error) {
	var v any
	d := json.NewDecoder(strings.NewReader(schema))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		return nil, fmt.Errorf("records: avro: schema is not JSON: %w", err)
	}
	p := parser{named: map[string]*avroType{}}
	return p.parse(v, "")
}

type parser struct{ named map[string]*avroType }

func fullName(name, namespace string) string {
	if strings.Contains(name, ".") || namespace == "" {
		return name
	}
	return namespace + "." + name
}

func (p *parser) parse(v any, namespace string) (*avroType, error) {
	switch s := v.(type) {
	case string:
		if k, ok := primitives[s]; ok {
			return &avroType{Kind: k}, nil
		}
		if t := p.named[fullName(s, namespace)]; t != nil {
			return t, nil
		}
		if t := p.named[s]; t != nil {
			return t, nil
		}
		return nil, fmt.Errorf("records: avro: unknown type %q", s)
	case []any:
		u := &avroType{Kind: avroUnion}
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
	return nil, fmt.Errorf("records: avro: unexpected schema %T", v)
}

func (p *parser) parseObject(m map[string]any, namespace string) (*avroType, error) {
	typ, _ := m["type"].(string)
	logical, _ := m["logicalType"].(string)
	if k, ok := primitives[typ]; ok {
		t := &avroType{Kind: k, Logical: logical}
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
		return nil, errors.New("records: avro: schema object without type")
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
		t := &avroType{Kind: avroRecord, Name: name()}
		p.named[t.Name] = t // before the fields: they may refer to it
		fields, _ := m["fields"].([]any)
		for _, f := range fields {
			fm, ok := f.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("records: avro: field of %s is not an object", t.Name)
			}
			fname, _ := fm["name"].(string)
			ft, err := p.parse(fm["type"], spaceOf(t.Name))
			if err != nil {
				return nil, err
			}
			t.Fields = append(t.Fields, avroField{Name: fname, Type: ft})
		}
		return t, nil
	case "enum":
		syms, _ := m["symbols"].([]any)
		t := &avroType{Kind: avroEnum, Name: name(), Symbols: len(syms), Logical: logical}
		p.named[t.Name] = t
		return t, nil
	case "fixed":
		size, err := intMember(m, "size", -1)
		if err != nil || size < 0 {
			return nil, fmt.Errorf("records: avro: fixed without a size")
		}
		t := &avroType{Kind: avroFixed, Name: name(), Size: size, Logical: logical}
		p.named[t.Name] = t
		return t, nil
	case "array":
		items, err := p.parse(m["items"], namespace)
		if err != nil {
			return nil, err
		}
		return &avroType{Kind: avroArray, Items: items, Logical: logical}, nil
	case "map":
		values, err := p.parse(m["values"], namespace)
		if err != nil {
			return nil, err
		}
		return &avroType{Kind: avroMap, Items: values, Logical: logical}, nil
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
		return 0, fmt.Errorf("records: avro: %s is %v, not a number", key, v)
	}
	i, err := n.Int64()
	if err != nil {
		return 0, fmt.Errorf("records: avro: %s is %v, not an integer", key, v)
	}
	return int(i), nil
}
