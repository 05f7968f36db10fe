package records

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Values is a record given as Go values instead of JSON text: the facts the
// fetcher makes of its own work (reconciliations, requests) or of an event
// it already decoded, with no JSON to write and scan again. It holds what
// the record's JSON object would, member by member: typed fields and Key
// parts are read at their paths (a dotted path runs through nested Values),
// each with the Go types of its kind's row in kinds (fromGo); a nil or
// missing member, a nil *string and a zero time.Time are null.
type Values map[string]any

// EncodeValues is Encode for a record given as values. raw is the JSON text
// the record keeps in raw (a webhook envelope), or nil to keep the values
// themselves, as encoding/json writes them. A Go value of a type its kind
// does not take is refused as a *FieldError (the caller's bug); a value of
// the right type that the kind cannot hold (a date in 1800) is unfit, as
// in a JSON record.
func (c *Converter) EncodeValues(dst []byte, v Values, raw json.RawMessage, l Lineage) (record, key []byte, err error) {
	id, typed, unfit, raw, err := c.fromValues(v, raw, l)
	if err != nil {
		return dst, nil, err
	}
	out := appendString(dst, id)
	idEnd := len(out)
	out = appendString(out, l.LinkID)
	out = append(out, 0) // deleted: false
	for i := range c.fields {
		if typed[i].null {
			out = append(out, unionNull)
			continue
		}
		out = kinds[c.fields[i].kind].encode(append(out, unionValue), typed[i])
	}
	out = appendString(append(out, unionValue), raw)
	out = c.appendUnfit(appendLineage(out, l), unfit)
	return out, out[idEnd-len(id) : idEnd : idEnd], nil
}

// NativeValues is Native for a record given as values: what EncodeValues
// writes, as goavro's native value.
func (c *Converter) NativeValues(v Values, raw json.RawMessage, l Lineage) (map[string]any, error) {
	id, typed, unfit, raw, err := c.fromValues(v, raw, l)
	if err != nil {
		return nil, err
	}
	m := c.common(id, l, false)
	for i := range c.fields {
		f := &c.fields[i]
		if typed[i].null {
			m[f.name] = nil
			continue
		}
		m[f.name] = map[string]any{f.branch: kinds[f.kind].native(typed[i])}
	}
	m[schemas.FieldRaw] = map[string]any{"string": string(raw)}
	if len(unfit) > 0 {
		names := make([]any, len(unfit))
		for i, j := range unfit {
			names[i] = c.fields[j].name
		}
		m[schemas.FieldUnfit] = map[string]any{"array": names}
	}
	return m, nil
}

// fromValues reads v by the record's plan: its id, each typed field (null
// when unfit, whose indexes it lists) and the raw text to keep.
func (c *Converter) fromValues(v Values, raw json.RawMessage, l Lineage) (id string, vals []typed, unfit []int, _ json.RawMessage, err error) {
	if err := c.checkLineage(l); err != nil {
		return "", nil, nil, nil, err
	}
	if id, err = c.valuesID(v); err != nil {
		return "", nil, nil, nil, c.fail("", schemas.FieldID, err)
	}
	vals = make([]typed, len(c.fields))
	for i := range c.fields {
		f := &c.fields[i]
		val := lookup(v, f.path)
		if val == nil {
			vals[i] = typedNull
			continue
		}
		t, ok, err := kinds[f.kind].fromGo(val)
		if err != nil {
			return "", nil, nil, nil, c.fail(id, f.name, err)
		}
		if !ok {
			t = typedNull
			unfit = append(unfit, i)
		}
		vals[i] = t
	}
	if raw == nil {
		if raw, err = json.Marshal(map[string]any(v)); err != nil {
			return "", nil, nil, nil, c.fail(id, schemas.FieldRaw, err)
		}
	}
	if !utf8.Valid(raw) {
		return "", nil, nil, nil, c.fail(id, schemas.FieldRaw, fmt.Errorf("raw is not UTF-8"))
	}
	return id, vals, unfit, raw, nil
}

var typedNull = typed{null: true}

// lookup returns the value at a dotted path, nil when a member is missing
// or a parent is not Values.
func lookup(v Values, path string) any {
	for {
		head, rest, nested := strings.Cut(path, ".")
		val, ok := v[head]
		if !ok || !nested {
			if isNull(val) {
				return nil
			}
			return val
		}
		if v, ok = val.(Values); !ok {
			if m, isMap := val.(map[string]any); isMap {
				v = m
			} else {
				return nil
			}
		}
		path = rest
	}
}

func isNull(v any) bool {
	switch x := v.(type) {
	case time.Time:
		return x.IsZero()
	case *string:
		return x == nil
	}
	return v == nil
}

// valuesID is appendID for values: the id member, or the Key parts joined.
func (c *Converter) valuesID(v Values) (string, error) {
	if id := lookup(v, schemas.FieldID); id != nil {
		return keyText(id)
	}
	if len(c.res.Key) == 0 {
		return "", ErrMissingID
	}
	parts := make([]string, len(c.res.Key))
	for i, k := range c.res.Key {
		val := lookup(v, k)
		if val == nil {
			return "", fmt.Errorf("%w, and key part %s is null", ErrMissingID, k)
		}
		var err error
		if parts[i], err = keyText(val); err != nil {
			return "", fmt.Errorf("key part %s: %w", k, err)
		}
	}
	return strings.Join(parts, schemas.KeySeparator), nil
}

// keyText is an id or key part: a non-empty string, or an integer.
func keyText(v any) (string, error) {
	switch x := v.(type) {
	case string:
		if x == "" {
			return "", ErrMissingID
		}
		return x, nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	}
	return "", fmt.Errorf("is a Go %T, not a string or integer", v)
}

// The fromGo column of the kinds table: a non-nil Go value as the kind's
// typed value; ok false when the value is of the kind's type but the kind
// cannot hold it (unfit).

func textFromGo(v any) (typed, bool, error) {
	if p, ok := v.(*string); ok {
		v = *p // not nil: lookup made that null
	}
	s, isString := v.(string)
	if !isString {
		return typed{}, false, fmt.Errorf("is a Go %T, not a string", v)
	}
	if !utf8.ValidString(s) {
		return typed{}, false, nil
	}
	return typed{text: leaf{kind: jsonString, text: []byte(s)}}, true, nil
}

func intFromGo(v any) (typed, bool, error) {
	switch x := v.(type) {
	case int:
		return typed{n: int64(x)}, true, nil
	case int32:
		return typed{n: int64(x)}, true, nil
	case int64:
		return typed{n: x}, true, nil
	}
	return typed{}, false, fmt.Errorf("is a Go %T, not an integer", v)
}

func floatFromGo(v any) (typed, bool, error) {
	f, ok := v.(float64)
	if !ok {
		return typed{}, false, fmt.Errorf("is a Go %T, not a float64", v)
	}
	return typed{f: f}, true, nil
}

func boolFromGo(v any) (typed, bool, error) {
	b, ok := v.(bool)
	if !ok {
		return typed{}, false, fmt.Errorf("is a Go %T, not a bool", v)
	}
	return typed{b: b}, true, nil
}

// decimalFromGo takes the exact forms of a decimal: a *big.Rat, a
// decimal.Decimal or its text; never a float64, which is not money.
func decimalFromGo(v any) (typed, bool, error) {
	var text string
	switch x := v.(type) {
	case string:
		if !isNumberText(x) {
			return typed{}, false, nil
		}
		text = x
	case decimal.Decimal:
		text = x.String()
	case *big.Rat:
		if x == nil {
			return typedNull, true, nil
		}
		r := new(big.Rat).Mul(x, new(big.Rat).SetInt(scaleDenom))
		if !r.IsInt() {
			return typed{}, false, nil
		}
		text = r.Num().String() + "e-" + strconv.Itoa(schemas.DecimalScale)
	default:
		return typed{}, false, fmt.Errorf("is a Go %T, not a *big.Rat, decimal.Decimal or decimal text", v)
	}
	d, err := parseDecimal(text)
	if err != nil {
		return typed{}, false, nil
	}
	return typed{dec: d}, true, nil
}

// dateFromGo takes a time.Time, whose date is taken as written in its own
// location (as a JSON timestamp's), or "YYYY-MM-DD".
func dateFromGo(v any) (typed, bool, error) {
	switch x := v.(type) {
	case time.Time:
		t := time.Date(x.Year(), x.Month(), x.Day(), 0, 0, 0, 0, time.UTC)
		return typed{t: t}, inRange(t), nil
	case string:
		t, err := parseDate(x)
		return typed{t: t}, err == nil, nil
	}
	return typed{}, false, fmt.Errorf("is a Go %T, not a time.Time or date text", v)
}

func timestampFromGo(v any) (typed, bool, error) {
	switch x := v.(type) {
	case time.Time:
		t := x.UTC().Truncate(time.Microsecond)
		return typed{t: t}, inRange(t), nil
	case string:
		t, err := parseTimestamp(x)
		return typed{t: t}, err == nil, nil
	}
	return typed{}, false, fmt.Errorf("is a Go %T, not a time.Time or RFC 3339 text", v)
}
