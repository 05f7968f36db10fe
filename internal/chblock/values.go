package chblock

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"time"

	chbuf "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	"github.com/shopspring/decimal"
)

// notNull is a column of a plain type. A nil takes the type's zero value,
// as clickhouse-go does.
type notNull struct{ values *plain }

func (c *notNull) append(v any) error {
	_, err := c.values.add(v)
	return err
}
func (c *notNull) appendCell(v *Cell) error {
	_, err := c.values.addCell(v)
	return err
}
func (c *notNull) reset()                          { c.values.reset() }
func (c *notNull) prefix(dst []byte) []byte        { return dst }
func (c *notNull) encode(dst []byte, _ int) []byte { return append(dst, c.values.bytes()...) }

// nullable is Nullable(T): a null map (1 for null), then T's values with
// the zero value in each null row.
type nullable struct {
	nulls  []byte
	values *plain
}

func (c *nullable) append(v any) error {
	null, err := c.values.add(v)
	return c.flag(null, err)
}
func (c *nullable) appendCell(v *Cell) error {
	null, err := c.values.addCell(v)
	return c.flag(null, err)
}

func (c *nullable) flag(null bool, err error) error {
	if err != nil {
		return err
	}
	var flag byte
	if null {
		flag = 1
	}
	c.nulls = append(c.nulls, flag)
	return nil
}

func (c *nullable) reset() {
	c.nulls = c.nulls[:0]
	c.values.reset()
}
func (c *nullable) prefix(dst []byte) []byte { return dst }
func (c *nullable) encode(dst []byte, _ int) []byte {
	return append(append(dst, c.nulls...), c.values.bytes()...)
}

// plain is the values of a plain type, each encoded by to.
type plain struct {
	buf []byte
	to  encoder
	typ string
}

// encoder appends a value's encoding, or the zero value's and null for
// nil; cell appends a cell that is not null as value does its Value.
type encoder struct {
	value func(dst []byte, v any, typ string) ([]byte, bool, error)
	cell  func(dst []byte, c *Cell, typ string) ([]byte, bool, error)
	// direct: a cell of kind is written by plain.addCell itself (most
	// cells of a row), without cell's three calls through function values.
	direct direct
	kind   CellKind
	zeros  int // bytes of the zero value (all zero), written for a null
}

// direct is how plain.addCell writes a cell of the encoder's kind.
type direct uint8

const (
	viaCell    direct = iota // cell does
	directStr                // Str as String
	direct8                  // Int's 8 bytes
	direct4                  // Int's low 4 bytes
	direct1                  // Int's low byte
	directBool               // Int as 0 or 1
	directF64                // Float's 8 bytes
	// Date32 of CellDate's days, and DateTime64(6) of CellTime's
	// microseconds, where ch-go's conversion through a time.Time gives
	// them unchanged: its nanoseconds do not overflow, not the zero time.
	directDays
	directMicros
)

// zeroTimeDays is the day of the zero time.Time (0001-01-01), which ch-go
// writes as 0.
const zeroTimeDays = -719162

// addCell writes nulls and the cells of the encoder's direct kind here
// (exactly as value would their values), and everything else through cell.
func (c *plain) addCell(v *Cell) (bool, error) {
	if v.Kind == CellNull {
		c.buf = appendZeros(c.buf, c.to.zeros)
		return true, nil
	}
	if v.Kind == c.to.kind {
		switch c.to.direct {
		case directStr:
			c.buf = appendString(c.buf, v.Str)
			return false, nil
		case direct8:
			c.buf = binary.LittleEndian.AppendUint64(c.buf, uint64(v.Int))
			return false, nil
		case direct4:
			c.buf = binary.LittleEndian.AppendUint32(c.buf, uint32(v.Int))
			return false, nil
		case direct1:
			c.buf = append(c.buf, byte(v.Int))
			return false, nil
		case directBool:
			c.buf = append(c.buf, boolByte(v.Int != 0))
			return false, nil
		case directF64:
			c.buf = binary.LittleEndian.AppendUint64(c.buf, math.Float64bits(v.Float))
			return false, nil
		case directDays:
			if v.Int > -1e13 && v.Int < 1e13 && v.Int != zeroTimeDays {
				c.buf = binary.LittleEndian.AppendUint32(c.buf, uint32(v.Int))
				return false, nil
			}
		case directMicros:
			if v.Int > -9e15 && v.Int < 9e15 {
				c.buf = binary.LittleEndian.AppendUint64(c.buf, uint64(v.Int))
				return false, nil
			}
		}
	}
	return c.addCellVia(v)
}

// appendZeros appends n zero bytes; the widths of the plain types are
// single stores (appending a slice of zeros was a memmove call per null).
func appendZeros(dst []byte, n int) []byte {
	switch n {
	case 1:
		return append(dst, 0)
	case 4:
		return binary.LittleEndian.AppendUint32(dst, 0)
	case 8:
		return binary.LittleEndian.AppendUint64(dst, 0)
	case 16:
		return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(dst, 0), 0)
	}
	return append(dst, make([]byte, n)...)
}

func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}

func (c *plain) add(v any) (bool, error) {
	buf, null, err := c.to.value(c.buf, v, c.typ)
	if err != nil {
		return false, err
	}
	c.buf = buf
	return null, nil
}

func (c *plain) addCellVia(v *Cell) (bool, error) {
	buf, null, err := c.to.cell(c.buf, v, c.typ)
	if err != nil {
		return false, err
	}
	c.buf = buf
	return null, nil
}
func (c *plain) reset()        { c.buf = c.buf[:0] }
func (c *plain) bytes() []byte { return c.buf }

// scalar is a value of one Go type: that type or a pointer to it (nil for
// null), as clickhouse-go takes them; of a cell, the kinds whose Value is
// that type (from).
func scalar[T any](put func([]byte, T) []byte, from func(*Cell) (T, bool)) encoder {
	return encoder{
		value: func(dst []byte, v any, typ string) ([]byte, bool, error) {
			var zero T
			switch v := v.(type) {
			case T:
				return put(dst, v), false, nil
			case *T:
				if v != nil {
					return put(dst, *v), false, nil
				}
			case nil:
			default:
				return dst, false, converterError(typ, v)
			}
			return put(dst, zero), true, nil
		},
		cell: func(dst []byte, c *Cell, typ string) ([]byte, bool, error) {
			v, ok := from(c)
			if !ok {
				return dst, false, converterError(typ, c.Value())
			}
			return put(dst, v), false, nil
		},
	}
}

// cellOf is from for the one kind whose Value is of type T.
func cellOf[T any](kind CellKind, get func(*Cell) T) func(*Cell) (T, bool) {
	return func(c *Cell) (T, bool) {
		if c.Kind != kind {
			var zero T
			return zero, false
		}
		return get(c), true
	}
}

// cellTime is from for time.Time, the Value of a date and of a time.
func cellTime(c *Cell) (time.Time, bool) {
	switch c.Kind {
	case CellDate:
		return c.date(), true
	case CellTime:
		return c.time(), true
	}
	return time.Time{}, false
}

// withDirect is e whose cells of kind plain.addCell writes itself, and
// whose zero value is zeros bytes.
func withDirect(e encoder, d direct, kind CellKind, zeros int) encoder {
	e.direct, e.kind, e.zeros = d, kind, zeros
	return e
}

var (
	// String: each value's length as a uvarint, then its bytes.
	appendText = withDirect(scalar(appendString, cellOf(CellString, func(c *Cell) string { return c.Str })),
		directStr, CellString, 1)
	appendInt32 = withDirect(scalar(func(dst []byte, v int32) []byte { return binary.LittleEndian.AppendUint32(dst, uint32(v)) },
		cellOf(CellInt32, func(c *Cell) int32 { return int32(c.Int) })), direct4, CellInt32, 4)
	appendInt64 = withDirect(scalar(func(dst []byte, v int64) []byte { return binary.LittleEndian.AppendUint64(dst, uint64(v)) },
		cellOf(CellInt, func(c *Cell) int64 { return c.Int })), direct8, CellInt, 8)
	appendUInt8 = withDirect(scalar(func(dst []byte, v uint8) []byte { return append(dst, v) },
		cellOf(CellUInt8, func(c *Cell) uint8 { return uint8(c.Int) })), direct1, CellUInt8, 1)
	appendUInt64 = withDirect(scalar(binary.LittleEndian.AppendUint64,
		cellOf(CellUInt64, func(c *Cell) uint64 { return uint64(c.Int) })), direct8, CellUInt64, 8)
	appendFloat64 = withDirect(scalar(func(dst []byte, v float64) []byte { return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v)) },
		cellOf(CellFloat, func(c *Cell) float64 { return c.Float })), directF64, CellFloat, 8)
	appendBool = withDirect(scalar(func(dst []byte, v bool) []byte { return append(dst, boolByte(v)) },
		cellOf(CellBool, func(c *Cell) bool { return c.Int != 0 })), directBool, CellBool, 1)
	// Date32 is days since 1970-01-01 of the value's date in its own
	// zone (ch-go's ToDate32, which clickhouse-go uses).
	appendDate32 = withDirect(scalar(func(dst []byte, t time.Time) []byte {
		return binary.LittleEndian.AppendUint32(dst, uint32(chbuf.ToDate32(t)))
	}, cellTime), directDays, CellDate, 4)
)

func appendDateTime64(p chbuf.Precision) encoder {
	e := scalar(func(dst []byte, t time.Time) []byte {
		return binary.LittleEndian.AppendUint64(dst, uint64(chbuf.ToDateTime64(t, p)))
	}, cellTime)
	if p == chbuf.PrecisionMicro {
		return withDirect(e, directMicros, CellTime, 8)
	}
	return withDirect(e, viaCell, CellTime, 8)
}

var pow10 = func() (p [20]uint64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 10
	}
	return p
}()

// appendDecimal128 writes a decimal.Decimal as the 128-bit two's
// complement integer of value × 10^scale, digits beyond the scale
// truncated, as clickhouse-go does. A value beyond 128 bits is an error.
func appendDecimal128(scale int32, typ string) encoder {
	put := func(dst []byte, d decimal.Decimal) ([]byte, bool, error) {
		lo, hi, err := decimal128(d, scale)
		if err != nil {
			return dst, false, fmt.Errorf("value %s overflows Decimal128 (%s): %w", d.String(), typ, err)
		}
		return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(dst, lo), hi), false, nil
	}
	return encoder{
		kind:  CellDecimal, // direct viaCell: cell writes its decimals
		zeros: 16,
		value: func(dst []byte, v any, _ string) ([]byte, bool, error) {
			switch v := v.(type) {
			case decimal.Decimal:
				return put(dst, v)
			case *decimal.Decimal:
				if v != nil {
					return put(dst, *v)
				}
			case nil:
			default:
				return dst, false, converterError(typ, v)
			}
			return appendZeros(dst, 16), true, nil
		},
		cell: func(dst []byte, c *Cell, _ string) ([]byte, bool, error) {
			if c.Kind != CellDecimal {
				return dst, false, converterError(typ, c.Value())
			}
			if c.Big == nil {
				// decimal128's fast path, without making the decimal.
				if lo, hi, ok := small128(c.Int, scale-c.Scale); ok {
					return binary.LittleEndian.AppendUint64(binary.LittleEndian.AppendUint64(dst, lo), hi), false, nil
				}
			}
			return put(dst, c.decimal())
		},
	}
}

// small128 is coefficient c × 10^exp as a 128-bit two's complement integer
// when c has at most 18 digits and 10^exp fits a uint64: their product is
// then below 10^37, inside 127 bits. ok is false otherwise.
func small128(c int64, exp int32) (lo, hi uint64, ok bool) {
	if exp < 0 || int(exp) >= len(pow10) || c <= -1e18 || c >= 1e18 {
		return 0, 0, false
	}
	u := uint64(c)
	if c < 0 {
		u = -u
	}
	hi, lo = bits.Mul64(u, pow10[exp])
	if c < 0 {
		lo, hi = -lo, ^hi
		if lo == 0 {
			hi++
		}
	}
	return lo, hi, true
}

var (
	maxInt128 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	minInt128 = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
	mask64    = new(big.Int).SetUint64(math.MaxUint64)
)

func decimal128(d decimal.Decimal, scale int32) (lo, hi uint64, err error) {
	exp := d.Exponent() + scale
	if d.NumDigits() <= 18 {
		if lo, hi, ok := small128(d.CoefficientInt64(), exp); ok {
			return lo, hi, nil
		}
	}
	bi := decimal.NewFromBigInt(d.Coefficient(), exp).BigInt()
	if bi.Cmp(maxInt128) > 0 || bi.Cmp(minInt128) < 0 {
		return 0, 0, fmt.Errorf("%s needs more than 128 bits", bi)
	}
	neg := bi.Sign() < 0
	if neg {
		// Two's complement: 2^128 + bi.
		bi.Add(bi, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	lo = new(big.Int).And(bi, mask64).Uint64()
	hi = new(big.Int).Rsh(bi, 64).Uint64()
	return lo, hi, nil
}

// lowCardinality is LowCardinality(String) or LowCardinality(Nullable(String)):
// a dictionary of the distinct values, first the default "" (and, when
// nullable, a placeholder for null before it), then each value's index.
// Written as clickhouse-go writes it: one dictionary per block sent as
// additional keys, indexes as narrow as its size allows.
type lowCardinality struct {
	nullable bool
	dict     map[string]uint32
	dictBuf  []byte // the dictionary, encoded as String
	dictRows uint32
	keys     []uint32
}

const (
	sharedDictionariesWithAdditionalKeys = 1
	hasAdditionalKeys                    = 1 << 9
	needUpdateDictionary                 = 1 << 10
)

func (c *lowCardinality) append(v any) error {
	switch v := v.(type) {
	case string:
		c.add(v)
	case *string:
		if v == nil {
			c.addNull()
		} else {
			c.add(*v)
		}
	case nil:
		c.addNull()
	default:
		return converterError("LowCardinality(String)", v)
	}
	return nil
}

func (c *lowCardinality) appendCell(v *Cell) error {
	switch v.Kind {
	case CellString:
		c.add(v.Str)
	case CellNull:
		c.addNull()
	default:
		return converterError("LowCardinality(String)", v.Value())
	}
	return nil
}

// addNull adds a null, or "" when the column is not nullable: key 0 is
// the first placeholder either way.
func (c *lowCardinality) addNull() {
	c.start()
	c.keys = append(c.keys, 0)
}

func (c *lowCardinality) add(s string) {
	c.start()
	i, ok := c.dict[s]
	if !ok {
		i = c.dictRows
		c.dict[s] = i
		c.dictBuf = appendString(c.dictBuf, s)
		c.dictRows++
	}
	c.keys = append(c.keys, i)
}

// start puts the placeholders in an empty dictionary.
func (c *lowCardinality) start() {
	if c.dictRows != 0 {
		return
	}
	if c.dict == nil {
		c.dict = map[string]uint32{}
	}
	c.dictBuf = append(c.dictBuf, 0) // ""
	c.dictRows = 1
	if c.nullable {
		c.dictBuf = append(c.dictBuf, 0)
		c.dictRows = 2
	}
}

func (c *lowCardinality) reset() {
	clear(c.dict)
	c.dictBuf, c.dictRows, c.keys = c.dictBuf[:0], 0, c.keys[:0]
}

func (c *lowCardinality) prefix(dst []byte) []byte {
	return binary.LittleEndian.AppendUint64(dst, sharedDictionariesWithAdditionalKeys)
}

func (c *lowCardinality) encode(dst []byte, rows int) []byte {
	if rows == 0 {
		return dst
	}
	// The width follows the count of distinct values, placeholders aside,
	// as clickhouse-go chooses it.
	var width uint64
	switch n := len(c.dict); {
	case n < math.MaxUint8:
		width = 0
	case n < math.MaxUint16:
		width = 1
	case uint64(n) < math.MaxUint32:
		width = 2
	default:
		width = 3
	}
	dst = binary.LittleEndian.AppendUint64(dst, hasAdditionalKeys|needUpdateDictionary|width)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(c.dictRows))
	dst = append(dst, c.dictBuf...)
	dst = binary.LittleEndian.AppendUint64(dst, uint64(len(c.keys)))
	for _, k := range c.keys {
		switch width {
		case 0:
			dst = append(dst, byte(k))
		case 1:
			dst = binary.LittleEndian.AppendUint16(dst, uint16(k))
		case 2:
			dst = binary.LittleEndian.AppendUint32(dst, k)
		default:
			dst = binary.LittleEndian.AppendUint64(dst, uint64(k))
		}
	}
	return dst
}

// converterError is clickhouse-go's error for a Go type a column does not
// take: the sink tells it from a value the column refuses.
func converterError(typ string, v any) error {
	return &column.ColumnConverterError{Op: "AppendRow", To: typ, From: fmt.Sprintf("%T", v)}
}

func appendString(dst []byte, s string) []byte {
	return append(appendUvarint(dst, uint64(len(s))), s...)
}

func appendUvarint(dst []byte, v uint64) []byte { return binary.AppendUvarint(dst, v) }
