package records

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"unsafe"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Errors of malformed input. Every one of them is also an error to goavro,
// which the caller can ask for its own wording.
var (
	errShort    = errors.New("records: avro: input ends inside a value")
	errVarint   = errors.New("records: avro: varint longer than 64 bits")
	errLength   = errors.New("records: avro: negative or oversized length")
	errBranch   = errors.New("records: avro: union branch out of range")
	errBoolean  = errors.New("records: avro: boolean byte is neither 0 nor 1")
	errTrailing = errors.New("records: avro: bytes after the record")
	errDepth    = errors.New("records: avro: values nested too deeply")
)

// maxAvroDepth bounds skipping a recursive schema, so hostile bytes cannot
// exhaust the stack.
const maxAvroDepth = 256

type reader struct {
	buf   []byte
	pos   int
	share bool  // strings alias buf instead of copying it
	unfit []int // slots whose value Fits refused
}

// long reads a zigzag varint, as Avro encodes int and long.
func (r *reader) long() (int64, error) {
	var u uint64
	for shift := uint(0); ; shift += 7 {
		if r.pos >= len(r.buf) {
			return 0, errShort
		}
		if shift >= 64 {
			return 0, errVarint
		}
		b := r.buf[r.pos]
		r.pos++
		u |= uint64(b&0x7f) << shift
		if b < 0x80 {
			break
		}
	}
	return int64(u>>1) ^ -int64(u&1), nil
}

// int reads an Avro int: a varint that must fit 32 bits, as goavro checks.
func (r *reader) int() (int32, error) {
	v, err := r.long()
	if err != nil {
		return 0, err
	}
	if v < math.MinInt32 || v > math.MaxInt32 {
		return 0, errVarint
	}
	return int32(v), nil
}

// bytes returns the next length-prefixed run, aliasing the input.
func (r *reader) bytes() ([]byte, error) {
	n, err := r.long()
	if err != nil {
		return nil, err
	}
	if n < 0 || n > int64(len(r.buf)-r.pos) {
		if n >= 0 {
			return nil, errShort
		}
		return nil, errLength
	}
	b := r.buf[r.pos : r.pos+int(n)]
	r.pos += int(n)
	return b, nil
}

func (r *reader) advance(n int) error {
	if n > len(r.buf)-r.pos {
		return errShort
	}
	r.pos += n
	return nil
}

// skip passes over one value of t.
func (r *reader) skip(t *avroType, depth int) error {
	if depth > maxAvroDepth {
		return errDepth
	}
	switch t.Kind {
	case avroNull:
		return nil
	case avroBoolean:
		if r.pos >= len(r.buf) {
			return errShort
		}
		if r.buf[r.pos] > 1 {
			return errBoolean
		}
		r.pos++
		return nil
	case avroInt:
		_, err := r.int()
		return err
	case avroLong:
		_, err := r.long()
		return err
	case avroFloat:
		return r.advance(4)
	case avroDouble:
		return r.advance(8)
	case avroBytes, avroString:
		_, err := r.bytes()
		return err
	case avroFixed:
		return r.advance(t.Size)
	case avroEnum:
		i, err := r.long()
		if err == nil && (i < 0 || i >= int64(t.Symbols)) {
			err = errBranch
		}
		return err
	case avroRecord:
		for i := range t.Fields {
			if err := r.skip(t.Fields[i].Type, depth+1); err != nil {
				return err
			}
		}
		return nil
	case avroUnion:
		i, err := r.long()
		if err != nil {
			return err
		}
		if i < 0 || i >= int64(len(t.Branches)) {
			return errBranch
		}
		return r.skip(t.Branches[i], depth+1)
	case avroArray, avroMap:
		for {
			n, err := r.long()
			if err != nil {
				return err
			}
			if n == 0 {
				return nil
			}
			if n < 0 {
				// A negative count is followed by the block's size in bytes.
				if _, err := r.long(); err != nil {
					return err
				}
				n = -n
			}
			if n > int64(len(r.buf)) {
				// Items of a zero-size type (null, an empty record) take no
				// bytes, so a count is not bounded by the input; refusing a
				// huge one keeps hostile bytes from spinning here.
				return errLength
			}
			for ; n > 0; n-- {
				if t.Kind == avroMap {
					if _, err := r.bytes(); err != nil {
						return err
					}
				}
				if err := r.skip(t.Items, depth+1); err != nil {
					return err
				}
			}
		}
	}
	return fmt.Errorf("records: avro: cannot skip kind %d", t.Kind)
}

// decodeAs is the cell a projected column is decoded into, and so the Go
// value it stands for (chblock.Cell.Value).
type decodeAs uint8

// The values of decodeAs and the writer types each accepts.
const (
	asString    decodeAs = iota // string → CellString
	asLong                      // long → CellInt
	asDouble                    // double → CellFloat
	asBoolean                   // boolean → CellBool
	asDecimal                   // bytes decimal, scale ≤ schemas.DecimalScale → CellDecimal at scale schemas.DecimalScale
	asDate                      // int date → CellDate
	asTimestamp                 // long timestamp-micros → CellTime
	asStrings                   // array of string → CellStrings
)

// projColumn is one value a projection extracts from a record.
type projColumn struct {
	Name string // writer field name; "" leaves the slot untouched
	Want decodeAs
	// Nullable accepts the writer union ["null", T] (either order) and
	// decodes null as nil; without it the writer field must be T itself.
	Nullable bool
	// Optional lets the writer schema lack the field (an older version):
	// the slot is then nil.
	Optional bool
	// Fits, when set, judges each decoded value: one it refuses is
	// decoded as null and its slot reported by decodeCells.
	Fits func(c *chblock.Cell) bool
}

// projection decodes records of one writer schema into column slots.
type projection struct {
	steps []step
	// absent are the slots of optional columns the writer lacks.
	absent []int
	// width is one more than the highest slot written.
	width int
}

type step struct {
	skip     *avroType // non-nil: a field no column wants
	slot     int
	want     decodeAs
	scale    int   // decimal: writer scale
	nullAt   int64 // union index of null, -1 when the field is not a union
	valueAt  int64 // union index of the value
	nullable bool
	fits     func(*chblock.Cell) bool
}

// Project compiles the decoding of writer records into cols. It returns an
// error wrapping errUnsupported when a column's writer type is not exactly
// one the fast path decodes as goavro does.
func project(writer *avroType, cols []projColumn) (*projection, error) {
	if writer.Kind != avroRecord {
		return nil, fmt.Errorf("%w: writer schema is not a record", errUnsupported)
	}
	bySlot := map[string]int{}
	for i, c := range cols {
		if c.Name == "" {
			continue
		}
		if _, dup := bySlot[c.Name]; dup {
			return nil, fmt.Errorf("records: avro: column %s twice", c.Name)
		}
		bySlot[c.Name] = i
	}
	p := &projection{}
	seen := map[string]bool{}
	for _, f := range writer.Fields {
		i, ok := bySlot[f.Name]
		if !ok || seen[f.Name] {
			p.steps = append(p.steps, step{skip: f.Type})
			continue
		}
		seen[f.Name] = true
		c := cols[i]
		st := step{slot: i, want: c.Want, nullAt: -1, nullable: c.Nullable, fits: c.Fits}
		t := f.Type
		if c.Nullable {
			if t.Kind != avroUnion || len(t.Branches) != 2 {
				return nil, fmt.Errorf("%w: field %s is not a union of null and one type", errUnsupported, f.Name)
			}
			switch {
			case t.Branches[0].Kind == avroNull:
				st.nullAt, st.valueAt, t = 0, 1, t.Branches[1]
			case t.Branches[1].Kind == avroNull:
				st.nullAt, st.valueAt, t = 1, 0, t.Branches[0]
			default:
				return nil, fmt.Errorf("%w: field %s is not a union of null and one type", errUnsupported, f.Name)
			}
		}
		if !accepts(c.Want, t) {
			return nil, fmt.Errorf("%w: field %s", errUnsupported, f.Name)
		}
		st.scale = t.Scale
		p.steps = append(p.steps, st)
		p.width = max(p.width, i+1)
	}
	for name, i := range bySlot {
		if seen[name] {
			continue
		}
		if !cols[i].Optional {
			return nil, fmt.Errorf("%w: writer schema lacks field %s", errUnsupported, name)
		}
		p.absent = append(p.absent, i)
		p.width = max(p.width, i+1)
	}
	return p, nil
}

func accepts(w decodeAs, t *avroType) bool {
	switch w {
	case asString:
		return t.Kind == avroString && t.Logical == ""
	case asLong:
		return t.Kind == avroLong && t.Logical == ""
	case asDouble:
		return t.Kind == avroDouble && t.Logical == ""
	case asBoolean:
		return t.Kind == avroBoolean && t.Logical == ""
	case asDecimal:
		return t.Kind == avroBytes && t.Logical == "decimal" && t.Scale >= 0 && t.Scale <= schemas.DecimalScale
	case asDate:
		return t.Kind == avroInt && t.Logical == "date"
	case asTimestamp:
		return t.Kind == avroLong && t.Logical == "timestamp-micros"
	case asStrings:
		return t.Kind == avroArray && t.Logical == "" && t.Items.Kind == avroString && t.Items.Logical == ""
	}
	return false
}

// Decode decodes one record, which must fill buf exactly, into dst: the
// slot of each column gets the Go value of its cell (nil for null or an
// absent optional field). dst must be at least as long as the columns
// given to Project. Strings are copied: dst does not alias buf.
func (p *projection) Decode(buf []byte, dst []any) error {
	return p.decodeValues(&reader{buf: buf}, dst)
}

// DecodeShared is Decode with strings that alias buf, sparing a copy of
// each (a 7 KB raw JSON is most of a record). buf must never be modified
// afterwards, and stays reachable as long as any of those strings.
func (p *projection) DecodeShared(buf []byte, dst []any) error {
	return p.decodeValues(&reader{buf: buf, share: true}, dst)
}

func (p *projection) decodeValues(r *reader, dst []any) error {
	cells := make([]chblock.Cell, p.width)
	if err := p.decode(r, cells); err != nil {
		return err
	}
	for i := range p.steps {
		if st := &p.steps[i]; st.skip == nil {
			dst[st.slot] = cells[st.slot].Value()
		}
	}
	for _, i := range p.absent {
		dst[i] = nil
	}
	return nil
}

// decodeCells is DecodeShared into cells, which also returns the slots
// whose value a column's Fits refused (nil when none).
func (p *projection) decodeCells(buf []byte, dst []chblock.Cell) ([]int, error) {
	r := reader{buf: buf, share: true}
	err := p.decode(&r, dst)
	return r.unfit, err
}

func (p *projection) decode(r *reader, dst []chblock.Cell) error {
	buf := r.buf
	for i := range p.steps {
		st := &p.steps[i]
		if st.skip != nil {
			if err := r.skip(st.skip, 0); err != nil {
				return err
			}
			continue
		}
		c := &dst[st.slot]
		if st.nullAt >= 0 {
			b, err := r.long()
			if err != nil {
				return err
			}
			if b == st.nullAt {
				*c = chblock.Cell{}
				continue
			}
			if b != st.valueAt {
				return errBranch
			}
		}
		if err := r.cell(st, c); err != nil {
			return err
		}
		if st.fits != nil && !st.fits(c) {
			*c = chblock.Cell{}
			r.unfit = append(r.unfit, st.slot)
		}
	}
	if r.pos != len(buf) {
		return errTrailing
	}
	for _, i := range p.absent {
		dst[i] = chblock.Cell{}
	}
	return nil
}

// cell reads the value of st into c, overwriting all of it.
func (r *reader) cell(st *step, c *chblock.Cell) error {
	*c = chblock.Cell{}
	switch st.want {
	case asString:
		b, err := r.bytes()
		if err != nil {
			return err
		}
		c.Kind = chblock.CellString
		if r.share && len(b) > 0 {
			c.Str = unsafe.String(&b[0], len(b))
		} else {
			c.Str = string(b)
		}
	case asLong:
		v, err := r.long()
		if err != nil {
			return err
		}
		c.Kind, c.Int = chblock.CellInt, v
	case asDouble:
		if len(r.buf)-r.pos < 8 {
			return errShort
		}
		c.Kind, c.Float = chblock.CellFloat, math.Float64frombits(binary.LittleEndian.Uint64(r.buf[r.pos:]))
		r.pos += 8
	case asBoolean:
		if r.pos >= len(r.buf) {
			return errShort
		}
		b := r.buf[r.pos]
		if b > 1 {
			return errBoolean
		}
		r.pos++
		c.Kind, c.Int = chblock.CellBool, int64(b)
	case asDecimal:
		b, err := r.bytes()
		if err != nil {
			return err
		}
		decimalOf(c, b, st.scale)
	case asDate:
		d, err := r.int()
		if err != nil {
			return err
		}
		c.Kind, c.Int = chblock.CellDate, int64(d)
	case asTimestamp:
		us, err := r.long()
		if err != nil {
			return err
		}
		c.Kind, c.Int = chblock.CellTime, us
	case asStrings:
		v, err := r.strings()
		if err != nil {
			return err
		}
		c.Kind, c.Strs = chblock.CellStrings, v
	default:
		return fmt.Errorf("records: avro: want %d", st.want)
	}
	return nil
}

// strings reads an array of strings, in blocks as skip does.
func (r *reader) strings() ([]string, error) {
	out := []string{}
	for {
		n, err := r.long()
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return out, nil
		}
		if n < 0 {
			if _, err := r.long(); err != nil {
				return nil, err
			}
			n = -n
		}
		// Every string takes a byte at least: a count beyond the input is
		// hostile, and must not size an allocation.
		if n > int64(len(r.buf)-r.pos) {
			return nil, errShort
		}
		for ; n > 0; n-- {
			b, err := r.bytes()
			if err != nil {
				return nil, err
			}
			if r.share && len(b) > 0 {
				out = append(out, unsafe.String(&b[0], len(b)))
			} else {
				out = append(out, string(b))
			}
		}
	}
}

// decimalOf reads Avro's big-endian two's-complement unscaled value into c
// rescaled to schemas.DecimalScale, the exact value records.Row makes of
// goavro's *big.Rat.
func decimalOf(c *chblock.Cell, b []byte, scale int) {
	c.Kind, c.Scale = chblock.CellDecimal, schemas.DecimalScale
	mul := pow10[schemas.DecimalScale-scale]
	if len(b) <= 8 {
		var u uint64
		for _, c := range b {
			u = u<<8 | uint64(c)
		}
		n := int64(u)
		if len(b) > 0 && len(b) < 8 && b[0]&0x80 != 0 {
			n -= int64(1) << (8 * len(b)) // sign-extend
		}
		if p := n * mul; p/mul == n {
			c.Int = p
			return
		}
	}
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	c.Big = n.Mul(n, big.NewInt(mul))
}
