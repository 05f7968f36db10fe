package records

import (
	"encoding/binary"
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

// The fetcher's writer of records, from what it holds: a Belvo record's
// JSON (Encode), a deleted id (EncodeDeletion) or Go values (EncodeValues,
// its facts). All three write one layout, below, and return the key.
//
// Why a second output: goavro's BinaryFromNative needs the map Native
// builds, a map per union value and a *big.Rat per decimal, and walks them
// generically; for a 7 KB transaction that was three quarters of the
// fetcher's cost per record. Append writes the same bytes from the scanned
// record directly: the schema is fixed by schemas.AvroSchema, so the field
// order and each field's type are known here, and tests hold every table
// to goavro's bytes for the same record.
//
// The layout, per AvroSchema: id and link_id as strings, deleted as a
// boolean, each typed field as the union ["null", T] (branch 0 null, 1 the
// value), raw, webhook_id and request_id as ["null", "string"], fetched_at
// as a long of timestamp-micros, and unfit_fields as ["null", array of
// string].

// Encode appends the Avro binary encoding of one Belvo record, in the
// resource's schema, to dst: the bytes goavro's BinaryFromNative writes for
// what Native returns. It returns the record's Kafka key too, its id,
// sharing the record's bytes (every record schema starts with it, so the
// key costs no copy); the key has no spare capacity, so appending to it
// cannot overwrite the record. trusted says raw is known to be valid JSON,
// as json.Valid judges it (the records of a page the Belvo client handed
// out): the answer is the same, errors included (UTF-8 and nesting are
// still checked), for less work; on text that is not valid JSON it is
// meaningless.
//
// It refuses what Native refuses, with the same *FieldError, and then
// returns dst unchanged; bytes past len(dst) may have been written.
func (c *Converter) Encode(dst []byte, raw json.RawMessage, l Lineage, trusted bool) (record, key []byte, err error) {
	return c.append(dst, raw, l, trusted)
}

// Append is Encode of an untrusted record, without its key.
func (c *Converter) Append(dst []byte, raw json.RawMessage, l Lineage) ([]byte, error) {
	out, _, err := c.append(dst, raw, l, false)
	return out, err
}

// AppendValid is Encode of a trusted record, without its key.
func (c *Converter) AppendValid(dst []byte, raw json.RawMessage, l Lineage) ([]byte, error) {
	out, _, err := c.append(dst, raw, l, true)
	return out, err
}

func (c *Converter) append(dst []byte, raw json.RawMessage, l Lineage, valid bool) ([]byte, []byte, error) {
	p, mismatch, err := c.scanRecord(raw, l, valid)
	if err != nil {
		return dst, nil, err
	}
	defer c.release(p)
	values := *p
	out, err := c.appendID(dst, values)
	if err != nil {
		return dst, nil, c.fail("", schemas.FieldID, err)
	}
	idLen := len(out) - len(dst)
	out = prefixLength(out, len(dst))
	idEnd := len(out)
	out = appendString(out, l.LinkID)
	out = append(out, 0) // deleted: false
	// The indexes of the unfit fields, written last; a record has few.
	var unfitBuf [8]int
	unfit := unfitBuf[:0]
	for i := range c.fields {
		f := &c.fields[i]
		v, ok := c.field(f, values, mismatch)
		if !ok {
			unfit = append(unfit, i)
		}
		out = appendTyped(out, f, v)
	}
	out = c.appendRest(out, raw, l, unfit)
	return out, out[idEnd-idLen : idEnd : idEnd], nil
}

// appendTyped writes a typed field's union: null, or the value's branch.
func appendTyped(dst []byte, f *fieldPlan, v typed) []byte {
	if v.null {
		return append(dst, unionNull)
	}
	return kinds[f.kind].encode(append(dst, unionValue), v)
}

// appendRest writes what follows the typed fields of a record that is not
// a deletion: raw, the lineage and unfit_fields.
func (c *Converter) appendRest(dst []byte, raw json.RawMessage, l Lineage, unfit []int) []byte {
	dst = appendString(append(dst, unionValue), raw)
	return c.appendUnfit(appendLineage(dst, l), unfit)
}

// appendUnfit writes unfit_fields: null when every value fit, else the
// array of their names, as one block as goavro writes it.
func (c *Converter) appendUnfit(dst []byte, unfit []int) []byte {
	if len(unfit) == 0 {
		return append(dst, unionNull)
	}
	dst = appendLong(append(dst, unionValue), int64(len(unfit)))
	for _, i := range unfit {
		dst = appendString(dst, c.fields[i].name)
	}
	return append(dst, 0)
}

// EncodeDeletion appends the Avro binary encoding of the deletion fact
// Deletion returns, refusing what it refuses, and returns its key as
// Encode does.
func (c *Converter) EncodeDeletion(dst []byte, id string, l Lineage) (record, key []byte, err error) {
	if id == "" {
		return dst, nil, c.fail("", schemas.FieldID, ErrMissingID)
	}
	if err := c.checkLineage(l); err != nil {
		return dst, nil, err
	}
	out := appendString(dst, id)
	idEnd := len(out)
	out = appendString(out, l.LinkID)
	out = append(out, 1) // deleted: true
	for range c.fields {
		out = append(out, unionNull)
	}
	out = append(out, unionNull)                   // raw
	out = append(appendLineage(out, l), unionNull) // no unfit field
	return out, out[idEnd-len(id) : idEnd : idEnd], nil
}

// AppendDeletion is EncodeDeletion without the key.
func (c *Converter) AppendDeletion(dst []byte, id string, l Lineage) ([]byte, error) {
	out, _, err := c.EncodeDeletion(dst, id, l)
	return out, err
}

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
		out = appendTyped(out, &c.fields[i], typed[i])
	}
	out = c.appendRest(out, raw, l, unfit)
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

// The branches of every ["null", T] union in the record schemas, as the
// varints Avro writes for 0 and 1.
const (
	unionNull  = 0
	unionValue = 2
)

func appendLineage(dst []byte, l Lineage) []byte {
	dst = appendOptional(dst, l.WebhookID)
	dst = appendOptional(dst, l.RequestID)
	return appendLong(dst, timestampMicros(fetchedAt(l)))
}

// appendOptional writes what optionalString gives goavro: null for "".
func appendOptional(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, unionNull)
	}
	return appendString(append(dst, unionValue), s)
}

// timestampMicros is goavro's timestamp-micros of a time.Time, overflow
// included, so that a lineage time far outside the tables' range still
// encodes alike.
func timestampMicros(t time.Time) int64 {
	return t.Unix()*1e6 + int64(t.Nanosecond()/1e3)
}

// appendLong writes Avro's zigzag varint of an int or long.
func appendLong(dst []byte, n int64) []byte {
	return binary.AppendUvarint(dst, uint64(n<<1)^uint64(n>>63))
}

// appendString writes an Avro string or bytes, from either Go type
// without converting it (a conversion would copy).
func appendString[T ~string | ~[]byte](dst []byte, s T) []byte {
	return append(appendLong(dst, int64(len(s))), s...)
}

// prefixLength turns the bytes written after start into an Avro string by
// putting their length in front: for text whose length is only known once
// it is unescaped or joined.
func prefixLength(dst []byte, start int) []byte {
	n := len(dst) - start
	var hdr [binary.MaxVarintLen64]byte
	h := appendLong(hdr[:0], int64(n))
	dst = append(dst, h...)
	copy(dst[start+len(h):], dst[start:start+n])
	copy(dst[start:], h)
	return dst
}

// appendAvro writes the decimal as Avro bytes: the unscaled value in
// big-endian two's complement, in as few bytes as hold it, zero as one
// byte, as goavro writes it.
func (u unscaled) appendAvro(dst []byte) []byte {
	if u.big != nil {
		return appendBigDecimal(dst, u.big)
	}
	n := 1
	for n < 8 && (u.small < -1<<(8*n-1) || u.small >= 1<<(8*n-1)) {
		n++
	}
	dst = appendLong(dst, int64(n))
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(u.small>>(8*i)))
	}
	return dst
}

func appendBigDecimal(dst []byte, n *big.Int) []byte {
	if n.Sign() >= 0 {
		b := n.Bytes()
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return appendString(dst, b)
	}
	// -n-1 has the bits of n inverted: its bytes, inverted, are n's two's
	// complement, with a sign byte when their top bit does not say so.
	m := new(big.Int).Not(n).Bytes()
	if len(m) == 0 || m[0]&0x80 != 0 {
		m = append([]byte{0}, m...)
	}
	for i := range m {
		m[i] = ^m[i]
	}
	return appendString(dst, m)
}
