package records

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
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
// use: everything it holds but a pool of scratch space is read-only after
// New.
type Converter struct {
	res     schemas.Resource
	fields  []fieldPlan
	root    *node // every path the record is read at
	leaves  int   // values a scan fills
	idLeaf  int
	keyLeaf []int // leaves of Resource.Key, in order
	codec   *goavro.Codec
	// scratch holds *[]leaf of length leaves, all null, for reuse: the
	// scanner's recursion makes escape analysis move any slice it fills to
	// the heap, and a new one per record is garbage per record.
	scratch sync.Pool
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
	c.root.seal()
	return c, nil
}

// Resource returns the resource the converter was built for.
func (c *Converter) Resource() schemas.Resource { return c.res }

// Codec returns the compiled codec of the resource's Avro schema.
func (c *Converter) Codec() *goavro.Codec { return c.codec }

// Native converts one Belvo record to the native value of the resource's
// Avro schema, ready for BinaryFromNative. raw is kept byte for byte. A
// typed field whose value its kind cannot hold is null and listed in
// unfit_fields: the record is kept, raw has the value.
func (c *Converter) Native(raw json.RawMessage, l Lineage) (map[string]any, error) {
	p, mismatch, err := c.scanRecord(raw, l, false)
	if err != nil {
		return nil, err
	}
	defer c.release(p)
	values := *p
	var idBuf [64]byte
	idText, err := c.appendID(idBuf[:0], values)
	if err != nil {
		return nil, c.fail("", schemas.FieldID, err)
	}
	id := string(idText)
	m := c.common(id, l, false)
	var unfit []any
	for i := range c.fields {
		f := &c.fields[i]
		v, ok := c.field(f, values, mismatch)
		switch {
		case !ok:
			m[f.name] = nil
			unfit = append(unfit, f.name)
		case v.null:
			m[f.name] = nil
		default:
			m[f.name] = map[string]any{f.branch: kinds[f.kind].native(v)}
		}
	}
	m[schemas.FieldRaw] = map[string]any{"string": string(raw)}
	if unfit != nil {
		m[schemas.FieldUnfit] = map[string]any{"array": unfit}
	}
	return m, nil
}

// field reads typed field f of a scanned record; ok is false when the
// record holds a value the field's kind cannot hold, or an object on its
// path is something else (mismatch).
func (c *Converter) field(f *fieldPlan, values []leaf, mismatch *pathError) (v typed, ok bool) {
	if mismatch != nil && mismatch.below(f.path) {
		return typed{null: true}, false
	}
	v, err := convert(f.kind, &values[f.leaf])
	if err != nil {
		return typed{null: true}, false
	}
	return v, true
}

// leafSlice returns c.leaves null leaves for one scan.
func (c *Converter) leafSlice() *[]leaf {
	if p, ok := c.scratch.Get().(*[]leaf); ok {
		return p
	}
	s := make([]leaf, c.leaves)
	return &s
}

// scanRecord checks the lineage and scans raw (valid as for scan) into
// pooled leaves, which the caller releases, with the paths where the
// record has no object the table expects (nil when none); a refusal is the
// record's *FieldError, and its leaves are already released.
func (c *Converter) scanRecord(raw json.RawMessage, l Lineage, valid bool) (*[]leaf, *pathError, error) {
	if err := c.checkLineage(l); err != nil {
		return nil, nil, err
	}
	p := c.leafSlice()
	if err := scan(raw, c.root, *p, valid); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return p, pe, nil
		}
		err = c.scanFailure(*p, err)
		c.release(p)
		return nil, nil, err
	}
	return p, nil, nil
}

// release returns leaves to the pool, cleared: they point into the record,
// which the pool must not keep alive.
func (c *Converter) release(values *[]leaf) {
	clear(*values)
	c.scratch.Put(values)
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
	m := make(map[string]any, len(c.fields)+8)
	m[schemas.FieldID] = id
	m[schemas.FieldLinkID] = l.LinkID
	m[schemas.FieldDeleted] = deleted
	m[schemas.FieldWebhookID] = optionalString(l.WebhookID)
	m[schemas.FieldRequestID] = optionalString(l.RequestID)
	m[schemas.FieldFetchedAt] = fetchedAt(l)
	m[schemas.FieldUnfit] = nil
	return m
}

// fetchedAt is the lineage time as the schema holds it: UTC, whole µs.
func fetchedAt(l Lineage) time.Time { return l.FetchedAt.UTC().Truncate(time.Microsecond) }

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

// appendID appends the record's own id, or its Key values joined when it
// has none.
func (c *Converter) appendID(dst []byte, values []leaf) ([]byte, error) {
	if v := &values[c.idLeaf]; v.kind != jsonNull {
		out, err := appendKeyText(dst, v)
		if err != nil {
			return dst, fmt.Errorf("id: %w", err)
		}
		return out, nil
	}
	if len(c.keyLeaf) == 0 {
		return dst, ErrMissingID
	}
	out := dst
	for i, li := range c.keyLeaf {
		v := &values[li]
		if v.kind == jsonNull {
			return dst, fmt.Errorf("%w, and key part %s is null", ErrMissingID, c.res.Key[i])
		}
		if i > 0 {
			out = append(out, schemas.KeySeparator...)
		}
		var err error
		if out, err = appendKeyText(out, v); err != nil {
			return dst, fmt.Errorf("key part %s: %w", c.res.Key[i], err)
		}
	}
	return out, nil
}

// scanFailure is the refusal of a record that is not JSON, with its id
// when the scan got that far.
func (c *Converter) scanFailure(values []leaf, err error) error {
	var id string
	if v := &values[c.idLeaf]; v.kind == jsonString {
		id = v.str()
	}
	return c.fail(id, schemas.FieldRaw, err)
}

// appendKeyText appends an id or key part: a non-empty string, or a number
// as written.
func appendKeyText(dst []byte, v *leaf) ([]byte, error) {
	switch v.kind {
	case jsonString:
		if len(v.text) == 0 {
			return dst, ErrMissingID
		}
		return v.appendText(dst), nil
	case jsonNumber:
		return append(dst, v.text...), nil
	}
	return dst, fmt.Errorf("is a %s, not a string or number", v.kind)
}

func optionalString(s string) any {
	if s == "" {
		return nil
	}
	return map[string]any{"string": s}
}

// typed is one typed field read from its leaf by the rules of its kind.
// Both outputs are made from it, so Native and Append can differ in how
// they write a field but never in what they read: Native boxes it into
// goavro's native form, Append writes its Avro binary encoding.
type typed struct {
	null bool
	text leaf      // String, Enum: the string, or a number or boolean as written
	n    int64     // Int
	f    float64   // Float
	b    bool      // Bool
	dec  unscaled  // Decimal
	t    time.Time // Date (UTC midnight), Timestamp (UTC, whole µs)
}

// The text of a boolean read as String or Enum.
var (
	trueText  = []byte("true")
	falseText = []byte("false")
)

// convert reads one JSON value as kind k, by the kind's row of kinds: JSON
// null is null for every kind.
func convert(k schemas.Kind, v *leaf) (typed, error) {
	if v.kind == jsonNull {
		return typed{null: true}, nil
	}
	return kinds[k].read(v)
}

// readText is how String and Enum read JSON: a string as is, a number or
// boolean as written.
func readText(v *leaf) (typed, error) {
	switch v.kind {
	case jsonString, jsonNumber:
		return typed{text: *v}, nil
	case jsonTrue:
		return typed{text: leaf{kind: jsonString, text: trueText}}, nil
	case jsonFalse:
		return typed{text: leaf{kind: jsonString, text: falseText}}, nil
	}
	return typed{}, fmt.Errorf("is a JSON %s, not text", v.kind)
}

func readBool(v *leaf) (typed, error) {
	switch v.kind {
	case jsonTrue:
		return typed{b: true}, nil
	case jsonFalse:
		return typed{b: false}, nil
	case jsonString:
		if len(v.text) == 0 {
			return typed{null: true}, nil
		}
	}
	return typed{}, fmt.Errorf("is a JSON %s, not a boolean", v.kind)
}

// readTime returns the reader of a date string parsed by parse.
func readTime(parse func(string) (time.Time, error)) func(v *leaf) (typed, error) {
	return func(v *leaf) (typed, error) {
		if v.kind != jsonString {
			return typed{}, fmt.Errorf("is a JSON %s, not a date string", v.kind)
		}
		if len(v.text) == 0 {
			return typed{null: true}, nil
		}
		t, err := parse(v.view())
		return typed{t: t}, err
	}
}

// numberText is the text of a numeric kind's value: a JSON number, or a
// string holding one (Belvo declares some amounts as strings, e.g.
// previous_bill_total); "" is null.
func numberText(v *leaf) (text string, null bool, err error) {
	switch v.kind {
	case jsonNumber:
		return v.view(), false, nil
	case jsonString:
		if len(v.text) == 0 {
			return "", true, nil
		}
		text = v.view()
		if !isNumberText(text) {
			return "", false, fmt.Errorf("%q is not a number", text)
		}
		return text, false, nil
	}
	return "", false, fmt.Errorf("is a JSON %s, not a number", v.kind)
}

// readNumber returns the reader of a numeric kind whose text parse reads.
func readNumber(parse func(text string) (typed, error)) func(v *leaf) (typed, error) {
	return func(v *leaf) (typed, error) {
		text, null, err := numberText(v)
		if null || err != nil {
			return typed{null: null}, err
		}
		return parse(text)
	}
}

func parseIntTyped(text string) (typed, error) {
	n, err := parseInt(text)
	return typed{n: n}, err
}

func parseFloatTyped(text string) (typed, error) {
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return typed{}, fmt.Errorf("%s is not a float64", text)
	}
	return typed{f: f}, nil
}

func parseDecimalTyped(text string) (typed, error) {
	d, err := parseDecimal(text)
	return typed{dec: d}, err
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

func parseInt(text string) (int64, error) {
	if n, err := strconv.ParseInt(text, 10, 64); err == nil {
		return n, nil
	}
	// 2018.0 or 2.018e3 are integers written as decimals.
	if _, err, settled := farExponent(text); settled {
		if err != nil {
			return 0, fmt.Errorf("%s is not a 64-bit integer", text)
		}
		return 0, nil // 0e999999
	}
	r, ok := new(big.Rat).SetString(text)
	if !ok || !r.IsInt() || !r.Num().IsInt64() {
		return 0, fmt.Errorf("%s is not a 64-bit integer", text)
	}
	return r.Num().Int64(), nil
}

// pow10 holds 10^0..10^DecimalScale, the factors that bring a decimal of
// any scale up to the columns' scale.
var pow10 = func() (p [schemas.DecimalScale + 1]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// unscaled is an exact Decimal(38,10) value as the integer value×10^10:
// the form Avro's decimal bytes hold, so encoding it needs no division.
// big is set only when small cannot hold it.
type unscaled struct {
	small int64
	big   *big.Int
}

// scaleDenom is 10^DecimalScale; only ever read.
var scaleDenom = new(big.Int).Exp(big.NewInt(10), big.NewInt(schemas.DecimalScale), nil)

// rat is the value as goavro's native decimal: any *big.Rat of the value
// encodes alike, as goavro only scales its numerator and denominator.
func (u unscaled) rat() *big.Rat {
	if u.big != nil {
		return new(big.Rat).SetFrac(u.big, scaleDenom)
	}
	return new(big.Rat).SetFrac64(u.small, pow10[schemas.DecimalScale])
}

// parseDecimal reads a JSON number exactly and refuses it unless it fits
// Decimal(38,10): goavro would silently cut extra decimals and accept
// values beyond the precision.
func parseDecimal(text string) (unscaled, error) {
	// Fast path: plain decimals of up to 18 digits, the money Belvo sends,
	// without big-number parsing. They always fit.
	if m, frac, ok := plainDecimal(text); ok {
		mul := pow10[schemas.DecimalScale-frac]
		if m <= math.MaxInt64/mul && m >= math.MinInt64/mul {
			return unscaled{small: m * mul}, nil
		}
		return unscaled{big: new(big.Int).Mul(big.NewInt(m), big.NewInt(mul))}, nil
	}
	if u, err, settled := farExponent(text); settled {
		return u, err
	}
	return ratDecimal(text)
}

// ratDecimal is parseDecimal for any JSON number text.
func ratDecimal(text string) (unscaled, error) {
	r, ok := new(big.Rat).SetString(text)
	if !ok {
		return unscaled{}, fmt.Errorf("%s is not a number", text)
	}
	scaled := r.Mul(r, new(big.Rat).SetInt(scaleDenom))
	if !scaled.IsInt() {
		return unscaled{}, fmt.Errorf("%w: %s has more than %d decimal places", ErrDecimalRange, text, schemas.DecimalScale)
	}
	limit := new(big.Int).Exp(big.NewInt(10), big.NewInt(schemas.DecimalPrecision), nil)
	if new(big.Int).Abs(scaled.Num()).Cmp(limit) >= 0 {
		return unscaled{}, fmt.Errorf("%w: %s has more than %d integer digits", ErrDecimalRange, text, schemas.DecimalPrecision-schemas.DecimalScale)
	}
	return unscaled{big: new(big.Int).Set(scaled.Num())}, nil
}

// farExponent settles, without big.Rat, a number whose exponent alone puts
// it out of range: big.Rat raises 10 to exponents up to a million, a tenth
// of a second or more of CPU for one record such as 1e999999. Its answers
// are parseDecimal's own. With M the number's digits as an integer (the
// point removed) and e its exponent less its decimals, the value is
// M×10^e: M ≥ 1 makes e ≥ DecimalPrecision too many integer digits, and M
// below 10^len(text) cannot be divisible by 10^-(e+DecimalScale) when that
// exceeds len(text), so the scaled value is no integer. settled is false
// for everything else, and for exponents big.Rat refuses outright.
func farExponent(text string) (u unscaled, err error, settled bool) {
	i := 0
	if i < len(text) && text[i] == '-' {
		i++
	}
	nonzero, frac, dot := false, 0, false
	for ; i < len(text) && (text[i] >= '0' && text[i] <= '9' || text[i] == '.'); i++ {
		switch {
		case text[i] == '.':
			dot = true
		case dot:
			frac++
		}
		nonzero = nonzero || text[i] > '0' && text[i] <= '9'
	}
	if i == len(text) || text[i] != 'e' && text[i] != 'E' {
		return unscaled{}, nil, false
	}
	i++
	neg := i < len(text) && text[i] == '-'
	if i < len(text) && (text[i] == '-' || text[i] == '+') {
		i++
	}
	exp, digits := 0, 0
	for ; i < len(text) && text[i] >= '0' && text[i] <= '9'; i++ {
		if digits++; digits > 7 {
			return unscaled{}, nil, false // past big.Rat's limit: it refuses at once
		}
		exp = exp*10 + int(text[i]-'0')
	}
	if i != len(text) || digits == 0 {
		return unscaled{}, nil, false
	}
	if neg {
		exp = -exp
	}
	e := exp - frac
	if e > 1e6 || e < -1e6 {
		return unscaled{}, nil, false
	}
	switch {
	case !nonzero && (e > schemas.DecimalPrecision || e < -len(text)-schemas.DecimalScale):
		return unscaled{big: new(big.Int)}, nil, true
	case e >= schemas.DecimalPrecision:
		return unscaled{}, fmt.Errorf("%w: %s has more than %d integer digits", ErrDecimalRange, text, schemas.DecimalPrecision-schemas.DecimalScale), true
	case e < -len(text)-schemas.DecimalScale:
		return unscaled{}, fmt.Errorf("%w: %s has more than %d decimal places", ErrDecimalRange, text, schemas.DecimalScale), true
	}
	return unscaled{}, nil, false
}

// plainDecimal reads valid JSON number text like "-123.4500" as its digits
// without the point (-1234500) and the number of decimals (4); ok is false
// for an exponent, more than 18 digits or more than DecimalScale decimals.
func plainDecimal(text string) (m int64, frac int, ok bool) {
	i := 0
	neg := len(text) > 0 && text[0] == '-'
	if neg {
		i++
	}
	digits, dot := 0, -1
	for ; i < len(text); i++ {
		c := text[i]
		switch {
		case c >= '0' && c <= '9':
			if digits++; digits > 18 {
				return 0, 0, false
			}
			m = m*10 + int64(c-'0')
		case c == '.':
			dot = i
		default:
			return 0, 0, false
		}
	}
	if dot >= 0 {
		frac = len(text) - dot - 1
	}
	if frac > schemas.DecimalScale {
		return 0, 0, false
	}
	if neg {
		m = -m
	}
	return m, frac, true
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
