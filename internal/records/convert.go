package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/linkedin/goavro/v2"
)

// Lineage says where a record came from. WebhookID and RequestID are empty
// when unknown and become null.
type Lineage struct {
	LinkID    string
	WebhookID string
	RequestID string
	FetchedAt time.Time
}

// Converter converts the records of one resource. It is safe for concurrent
// use: everything it holds is read-only after New.
type Converter struct {
	res     schemas.Resource
	fields  []fieldPlan
	root    *node // every path the record is read at
	leaves  int   // values a scan fills
	idLeaf  int
	keyLeaf []int // leaves of Resource.Key, in order
	codec   *goavro.Codec
}

type fieldPlan struct {
	name   string
	path   string
	leaf   int
	kind   schemas.Kind
	branch string
}

// New checks the resource row and compiles its plan and Avro codec.
func New(r schemas.Resource) (*Converter, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	codec, err := goavro.NewCodec(r.AvroSchema())
	if err != nil {
		return nil, fmt.Errorf("records: compile %s schema: %w", r.Name, err)
	}
	c := &Converter{res: r, codec: codec, root: newNode("")}
	c.idLeaf = c.root.add([]string{schemas.FieldID}, &c.leaves)
	for _, k := range r.Key {
		c.keyLeaf = append(c.keyLeaf, c.root.add(strings.Split(k, "."), &c.leaves))
	}
	for _, f := range r.Fields {
		c.fields = append(c.fields, fieldPlan{
			name:   f.Name,
			path:   f.Path(),
			leaf:   c.root.add(strings.Split(f.Path(), "."), &c.leaves),
			kind:   f.Kind,
			branch: f.Kind.AvroBranch(),
		})
	}
	return c, nil
}

// Resource returns the resource the converter was built for.
func (c *Converter) Resource() schemas.Resource { return c.res }

// Codec returns the compiled codec of the resource's Avro schema.
func (c *Converter) Codec() *goavro.Codec { return c.codec }

// Native converts one Belvo record to the native value of the resource's
// Avro schema, ready for BinaryFromNative. raw is kept byte for byte.
func (c *Converter) Native(raw json.RawMessage, l Lineage) (map[string]any, error) {
	if err := c.checkLineage(l); err != nil {
		return nil, err
	}
	values := make([]any, c.leaves)
	if err := scan(raw, c.root, values); err != nil {
		return nil, c.scanFailure(values, err)
	}
	id, err := c.id(values)
	if err != nil {
		return nil, c.fail("", schemas.FieldID, err)
	}
	m := c.common(id, l, false)
	for i := range c.fields {
		f := &c.fields[i]
		v, err := convert(f.kind, values[f.leaf])
		if err != nil {
			return nil, c.fail(id, f.name, err)
		}
		if v == nil {
			m[f.name] = nil
		} else {
			m[f.name] = map[string]any{f.branch: v}
		}
	}
	m[schemas.FieldRaw] = map[string]any{"string": string(raw)}
	return m, nil
}

// Deletion returns the native value of a deletion fact for record id (e.g.
// from transactions_deleted): typed fields and raw are null.
func (c *Converter) Deletion(id string, l Lineage) (map[string]any, error) {
	if id == "" {
		return nil, c.fail("", schemas.FieldID, ErrMissingID)
	}
	if err := c.checkLineage(l); err != nil {
		return nil, err
	}
	m := c.common(id, l, true)
	for i := range c.fields {
		m[c.fields[i].name] = nil
	}
	m[schemas.FieldRaw] = nil
	return m, nil
}

func (c *Converter) common(id string, l Lineage, deleted bool) map[string]any {
	m := make(map[string]any, len(c.fields)+7)
	m[schemas.FieldID] = id
	m[schemas.FieldLinkID] = l.LinkID
	m[schemas.FieldDeleted] = deleted
	m[schemas.FieldWebhookID] = optionalString(l.WebhookID)
	m[schemas.FieldRequestID] = optionalString(l.RequestID)
	m[schemas.FieldFetchedAt] = l.FetchedAt.UTC().Truncate(time.Microsecond)
	return m
}

// checkLineage refuses what would break the table: link_id is half the sort
// key and fetched_at is the replacing version.
func (c *Converter) checkLineage(l Lineage) error {
	if l.LinkID == "" {
		return c.fail("", schemas.FieldLinkID, errors.New("lineage has no link id"))
	}
	if l.FetchedAt.IsZero() || l.FetchedAt.Before(time.Unix(0, 0)) {
		return c.fail("", schemas.FieldFetchedAt, fmt.Errorf("fetched_at %v is not a time after 1970", l.FetchedAt))
	}
	return nil
}

func (c *Converter) fail(id, field string, err error) error {
	return &FieldError{Resource: c.res.Name, ID: id, Field: field, Err: err}
}

// id is the record's own id, or its Key values joined when it has none.
func (c *Converter) id(values []any) (string, error) {
	if v := values[c.idLeaf]; v != nil {
		s, err := keyText(v)
		if err != nil {
			return "", fmt.Errorf("id: %w", err)
		}
		return s, nil
	}
	if len(c.keyLeaf) == 0 {
		return "", ErrMissingID
	}
	parts := make([]string, len(c.keyLeaf))
	for i, leaf := range c.keyLeaf {
		v := values[leaf]
		if v == nil {
			return "", fmt.Errorf("%w, and key part %s is null", ErrMissingID, c.res.Key[i])
		}
		var err error
		if parts[i], err = keyText(v); err != nil {
			return "", fmt.Errorf("key part %s: %w", c.res.Key[i], err)
		}
	}
	return strings.Join(parts, schemas.KeySeparator), nil
}

// scanFailure names the field a path error is about (its path runs through
// the non-object), and the record's id when the scan got that far.
func (c *Converter) scanFailure(values []any, err error) error {
	id, _ := values[c.idLeaf].(string)
	var pe *pathError
	if errors.As(err, &pe) {
		for _, f := range c.fields {
			if strings.HasPrefix(f.path+".", pe.path+".") {
				return c.fail(id, f.name, err)
			}
		}
		return c.fail(id, schemas.FieldID, err)
	}
	return c.fail(id, schemas.FieldRaw, err)
}

func keyText(v any) (string, error) {
	switch v := v.(type) {
	case string:
		if v == "" {
			return "", ErrMissingID
		}
		return v, nil
	case json.Number:
		return string(v), nil
	}
	return "", fmt.Errorf("is a %s, not a string or number", jsonType(v))
}

func optionalString(s string) any {
	if s == "" {
		return nil
	}
	return map[string]any{"string": s}
}

func jsonType(v any) string {
	switch v.(type) {
	case map[string]any:
		return "object"
	case []any:
		return "array"
	case string:
		return "string"
	case json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case composite:
		return string(v.(composite))
	}
	return fmt.Sprintf("%T", v)
}

// convert reads one JSON value as kind k; nil means null.
func convert(k schemas.Kind, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch k {
	case schemas.String, schemas.Enum:
		switch v := v.(type) {
		case string:
			return v, nil
		case json.Number:
			return string(v), nil
		case bool:
			return strconv.FormatBool(v), nil
		}
		return nil, fmt.Errorf("is a JSON %s, not text", jsonType(v))
	case schemas.Bool:
		switch v := v.(type) {
		case bool:
			return v, nil
		case string:
			if v == "" {
				return nil, nil
			}
		}
		return nil, fmt.Errorf("is a JSON %s, not a boolean", jsonType(v))
	case schemas.Date, schemas.Timestamp:
		s, ok := v.(string)
		if !ok {
			return nil, fmt.Errorf("is a JSON %s, not a date string", jsonType(v))
		}
		if s == "" {
			return nil, nil
		}
		if k == schemas.Date {
			return parseDate(s)
		}
		return parseTimestamp(s)
	}
	// Numeric kinds read a JSON number or a string holding one: Belvo
	// declares some amounts as strings (previous_bill_total).
	var text string
	switch v := v.(type) {
	case json.Number:
		text = string(v)
	case string:
		if v == "" {
			return nil, nil
		}
		if !isNumberText(v) {
			return nil, fmt.Errorf("%q is not a number", v)
		}
		text = v
	default:
		return nil, fmt.Errorf("is a JSON %s, not a number", jsonType(v))
	}
	switch k {
	case schemas.Int:
		return parseInt(text)
	case schemas.Float:
		f, err := strconv.ParseFloat(text, 64)
		if err != nil {
			return nil, fmt.Errorf("%s is not a float64", text)
		}
		return f, nil
	}
	return parseDecimal(text)
}

// isNumberText accepts JSON number syntax, which is all json.Number can
// hold; it keeps strings like "NaN", "0x1p3" or "1/3" out of the parsers
// that would accept them.
func isNumberText(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == start {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == f {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

func parseInt(text string) (any, error) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	// 2018.0 or 2.018e3 are integers written as decimals.
	r, ok := new(big.Rat).SetString(text)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return nil, fmt.Errorf("%s is not a 64-bit integer", text)
	}
	return r.Num().Int64(), nil
}

// pow10 holds 10^0..10^18, the powers an int64 mantissa can be scaled by.
func pow10(n int) int64 {
	p := int64(1)
	for ; n > 0; n-- {
		p *= 10
	}
	return p
}

// parseDecimal reads a JSON number exactly and refuses it unless it fits
// Decimal(38,10): goavro would silently cut extra decimals and accept
// values beyond the precision.
func parseDecimal(text string) (*big.Rat, error) {
	// Fast path: plain decimals of up to 18 digits, the money Belvo sends,
	// without big-number parsing.
	neg, digits, frac, ok := splitPlain(text)
	if ok && len(digits) <= 18 && frac <= schemas.DecimalScale {
		m, err := strconv.ParseInt(digits, 10, 64)
		if err == nil {
			if neg {
				m = -m
			}
			return big.NewRat(m, pow10(frac)), nil
		}
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return nil, fmt.Errorf("%s is not a number", text)
	}
	scaled := new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(schemas.DecimalScale), nil)))
	if !scaled.IsInt() {
		return nil, fmt.Errorf("%w: %s has more than %d decimal places", ErrDecimalRange, text, schemas.DecimalScale)
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(schemas.DecimalPrecision), nil)
	if new(big.Int).Abs(scaled.Num()).Cmp(limit) >= 0 {
		return nil, fmt.Errorf("%w: %s has more than %d integer digits", ErrDecimalRange, text, schemas.DecimalPrecision-schemas.DecimalScale)
	}
	return r, nil
}

// splitPlain splits "-123.4500" into its sign, its digits without the point
// ("1234500") and the number of decimals (4); ok is false for exponents.
func splitPlain(text string) (neg bool, digits string, frac int, ok bool) {
	s := text
	if strings.HasPrefix(s, "-") {
		neg, s = true, s[1:]
	}
	dot := strings.IndexByte(s, '.')
	if strings.ContainsAny(s, "eE") {
		return false, "", 0, false
	}
	if dot < 0 {
		return neg, s, 0, true
	}
	return neg, s[:dot] + s[dot+1:], len(s) - dot - 1, true
}

// The range ClickHouse's Date32 and DateTime64 hold without clamping.
func inRange(t time.Time) bool {
	return !t.Before(time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)) && t.Before(time.Date(2300, 1, 1, 0, 0, 0, 0, time.UTC))
}

func parseDate(s string) (time.Time, error) {
	if len(s) > 10 && s[10] != 'T' && s[10] != 't' && s[10] != ' ' {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	if len(s) < 10 {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	// time.Parse without a zone yields UTC midnight, which Avro's
	// Unix()/86400 day count turns into exactly this day.
	t, err := time.Parse(time.DateOnly, s[:10])
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not a YYYY-MM-DD date", s)
	}
	if !inRange(t) {
		return time.Time{}, fmt.Errorf("%q is outside 1900..2299", s)
	}
	return t, nil
}

func parseTimestamp(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t, err = time.Parse("2006-01-02T15:04:05.999999999", s)
	}
	if err != nil && len(s) == 10 {
		t, err = time.Parse(time.DateOnly, s)
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("%q is not an ISO-8601 date-time", s)
	}
	t = t.UTC().Truncate(time.Microsecond)
	if !inRange(t) {
		return time.Time{}, fmt.Errorf("%q is outside 1900..2299", s)
	}
	return t, nil
}
