package records

import (
	"encoding/binary"
	"math"
	"math/big"
	"time"

	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/schemas"
)

// kindCodec is the codec's half of a Kind's row: how a value of the kind
// moves. The other half, what the kind is (Avro type, goavro branch,
// ClickHouse column type), is schemas.KindType, indexed by the same Kind.
// Every conversion of a typed field goes through this table; nothing else
// switches on a Kind.
type kindCodec struct {
	// read takes a non-null JSON value of a Belvo record (see doc.go for
	// the rules); "" is null for every kind but String and Enum.
	read func(v *leaf) (typed, error)
	// encode appends the Avro binary encoding of the union's value branch.
	// It and native take the value, not a pointer: a pointer passed to a
	// function value escapes, and was an allocation per field.
	encode func(dst []byte, v typed) []byte
	// native is the value goavro encodes for the same branch.
	native func(v typed) any
	// decode is the Go value the fast decoder makes of the branch, which
	// is the ClickHouse column value.
	decode decodeAs
	// column turns goavro's decoded native of the branch into the
	// ClickHouse column value, the one decode gives.
	column func(native any) (any, error)
	// fromGo takes a non-nil Go value of a record given as Values; ok is
	// false for a value of the right type the kind cannot hold (unfit), an
	// error is a Go type the kind never takes.
	fromGo func(v any) (t typed, ok bool, err error)
	// fits reports whether a column value (as decode and column give it)
	// is one the ClickHouse column holds as it is; nil when every value
	// does. The fetcher never writes one that does not, but a record's
	// bytes may come from another producer.
	fits func(v any) bool
	// fitsCell is fits of the cell the fast decoder makes (decode), nil
	// when every value fits.
	fitsCell func(c *chblock.Cell) bool
}

var kinds = [...]kindCodec{
	schemas.String: textKind,
	schemas.Enum:   textKind,
	schemas.Int: {
		read:   readNumber(parseIntTyped),
		fromGo: intFromGo,
		encode: func(dst []byte, v typed) []byte { return appendLong(dst, v.n) },
		native: func(v typed) any { return v.n },
		decode: asLong,
		column: asIs,
	},
	schemas.Float: {
		read:   readNumber(parseFloatTyped),
		fromGo: floatFromGo,
		encode: func(dst []byte, v typed) []byte { return binary.LittleEndian.AppendUint64(dst, math.Float64bits(v.f)) },
		native: func(v typed) any { return v.f },
		decode: asDouble,
		column: asIs,
	},
	schemas.Bool: {
		read:   readBool,
		fromGo: boolFromGo,
		encode: func(dst []byte, v typed) []byte {
			if v.b {
				return append(dst, 1)
			}
			return append(dst, 0)
		},
		native: func(v typed) any { return v.b },
		decode: asBoolean,
		column: asIs,
	},
	schemas.Decimal: {
		read:     readNumber(parseDecimalTyped),
		fromGo:   decimalFromGo,
		encode:   func(dst []byte, v typed) []byte { return v.dec.appendAvro(dst) },
		native:   func(v typed) any { return v.dec.rat() },
		decode:   asDecimal,
		column:   toDecimal,
		fits:     decimalFits,
		fitsCell: decimalCellFits,
	},
	schemas.Date: {
		read:   readTime(parseDate),
		fromGo: dateFromGo,
		// goavro's day count for a time.Time; exact, as dates are built at
		// UTC midnight.
		encode:   func(dst []byte, v typed) []byte { return appendLong(dst, v.t.Unix()/86400) },
		native:   nativeTime,
		decode:   asDate,
		column:   asIs,
		fits:     timeFits,
		fitsCell: timeCellFits,
	},
	schemas.Timestamp: {
		read:     readTime(parseTimestamp),
		fromGo:   timestampFromGo,
		encode:   func(dst []byte, v typed) []byte { return appendLong(dst, timestampMicros(v.t)) },
		native:   nativeTime,
		decode:   asTimestamp,
		column:   asIs,
		fits:     timeFits,
		fitsCell: timeCellFits,
	},
}

// textKind is String's and Enum's row: Avro strings both.
var textKind = kindCodec{
	read:   readText,
	fromGo: textFromGo,
	encode: func(dst []byte, v typed) []byte {
		if !v.text.escaped {
			return appendString(dst, v.text.text)
		}
		start := len(dst)
		return prefixLength(v.text.appendText(dst), start)
	},
	// It copies what it keeps of the record.
	native: func(v typed) any { return v.text.str() },
	decode: asString,
	column: asIs,
}

func nativeTime(v typed) any { return v.t }

func asIs(native any) (any, error) { return native, nil }

// The values Decimal(DecimalPrecision, DecimalScale) holds lie strictly
// between these, at the scale every decoded decimal has.
var (
	decimalMax = decimal.NewFromBigInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(schemas.DecimalPrecision), nil), -schemas.DecimalScale)
	decimalMin = decimalMax.Neg()
)

// decimalFits refuses what clickhouse-go would refuse as overflowing the
// column (the whole batch then).
func decimalFits(v any) bool {
	d, ok := v.(decimal.Decimal)
	return ok && d.Cmp(decimalMax) < 0 && d.Cmp(decimalMin) > 0
}

// decimalCellFits is decimalFits of a decoded decimal: one at the column's
// scale whose unscaled value is an int64 has at most 19 digits.
func decimalCellFits(c *chblock.Cell) bool {
	if c.Big == nil && c.Scale == schemas.DecimalScale && schemas.DecimalPrecision >= 19 {
		return true
	}
	return decimalFits(c.Value())
}

// timeCellFits is timeFits of a decoded date or time.
func timeCellFits(c *chblock.Cell) bool {
	switch c.Kind {
	case chblock.CellDate:
		return inRange(time.Unix(c.Int*86400, 0))
	case chblock.CellTime:
		return inRange(time.UnixMicro(c.Int))
	}
	return false
}

// timeFits refuses what Date32 and DateTime64 would clamp silently.
func timeFits(v any) bool {
	t, ok := v.(time.Time)
	return ok && inRange(t)
}
