package chblock

import (
	"fmt"
	"math/big"
	"time"

	"github.com/shopspring/decimal"
)

// Cell is one value of a row given by its type instead of boxed in an any:
// a row appended as cells (AppendCells) costs no allocation, where each
// string, time and decimal of a row of anys is one. A cell encodes exactly
// as its Value does through Append. Which field holds the value depends on
// Kind.
type Cell struct {
	Kind CellKind
	Str  string   // CellString
	Strs []string // CellStrings
	// Int is the integer kinds' value (CellUInt64's bits), CellBool's 0 or 1, CellDate's days since
	// 1970-01-01, CellTime's microseconds since 1970 UTC, and CellDecimal's
	// unscaled value when Big is nil.
	Int   int64
	Float float64  // CellFloat
	Big   *big.Int // CellDecimal's unscaled value beyond an int64
	Scale int32    // CellDecimal: the value is the unscaled value × 10^-Scale
}

// CellKind is the Go type a Cell stands for.
type CellKind uint8

// The kinds of cells, and the Go value each stands for (Value).
const (
	CellNull    CellKind = iota // nil
	CellString                  // string
	CellInt                     // int64
	CellInt32                   // int32
	CellUInt8                   // uint8
	CellUInt64                  // uint64 (Int's bits)
	CellFloat                   // float64
	CellBool                    // bool
	CellDate                    // time.Time, UTC midnight
	CellTime                    // time.Time, UTC, microseconds
	CellDecimal                 // decimal.Decimal
	CellStrings                 // []string
)

var cellKindNames = [...]string{"null", "string", "int64", "int32", "uint8", "uint64", "float64", "bool", "date", "time", "decimal", "[]string"}

func (k CellKind) String() string {
	if int(k) < len(cellKindNames) {
		return cellKindNames[k]
	}
	return fmt.Sprintf("CellKind(%d)", k)
}

// noStrings is the empty []string boxed once: the unfit column of nearly
// every row is empty, and boxing a slice allocates.
var noStrings any = []string{}

// Value is the Go value c stands for, as Append takes it.
func (c *Cell) Value() any {
	switch c.Kind {
	case CellString:
		return c.Str
	case CellInt:
		return c.Int
	case CellInt32:
		return int32(c.Int)
	case CellUInt8:
		return uint8(c.Int)
	case CellUInt64:
		return uint64(c.Int)
	case CellFloat:
		return c.Float
	case CellBool:
		return c.Int != 0
	case CellDate:
		return c.date()
	case CellTime:
		return c.time()
	case CellDecimal:
		return c.decimal()
	case CellStrings:
		if len(c.Strs) == 0 && c.Strs != nil {
			return noStrings
		}
		return c.Strs
	}
	return nil
}

func (c *Cell) date() time.Time { return time.Unix(c.Int*86400, 0).UTC() }

func (c *Cell) time() time.Time { return time.UnixMicro(c.Int).UTC() }

func (c *Cell) decimal() decimal.Decimal {
	if c.Big != nil {
		return decimal.NewFromBigInt(c.Big, -c.Scale)
	}
	return decimal.New(c.Int, -c.Scale)
}

// AppendCells adds one row given as cells, in the columns' order. Errors
// are Append's for the cells' values.
func (b *Block) AppendCells(row []Cell) error {
	if len(row) != len(b.cols) {
		return fmt.Errorf("row of %d values for %d columns", len(row), len(b.cols))
	}
	for i := range row {
		if err := b.cols[i].appendCell(&row[i]); err != nil {
			b.broken = true
			return fmt.Errorf("column %s (%s): %w", b.names[i], b.types[i], err)
		}
	}
	b.rows++
	return nil
}
