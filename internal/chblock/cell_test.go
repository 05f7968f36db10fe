package chblock

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/shopspring/decimal"
)

// cellFor is the cell standing for v, one of gens' values; ok is false for
// a Go type no cell stands for. A midnight time becomes either a date or a
// time, and a decimal either form, as r draws.
func cellFor(r *rand.Rand, v any) (c Cell, ok bool) {
	switch v := v.(type) {
	case nil:
		return Cell{}, true
	case string:
		return Cell{Kind: CellString, Str: v}, true
	case int64:
		return Cell{Kind: CellInt, Int: v}, true
	case int32:
		return Cell{Kind: CellInt32, Int: int64(v)}, true
	case uint8:
		return Cell{Kind: CellUInt8, Int: int64(v)}, true
	case uint64:
		return Cell{Kind: CellUInt64, Int: int64(v)}, true
	case float64:
		return Cell{Kind: CellFloat, Float: v}, true
	case bool:
		c := Cell{Kind: CellBool}
		if v {
			c.Int = 1
		}
		return c, true
	case time.Time:
		if v.Unix()%86400 == 0 && v.Nanosecond() == 0 && r.IntN(2) == 0 {
			return Cell{Kind: CellDate, Int: v.Unix() / 86400}, true
		}
		return Cell{Kind: CellTime, Int: v.UnixMicro()}, true
	case decimal.Decimal:
		c := Cell{Kind: CellDecimal, Scale: -v.Exponent(), Big: v.Coefficient()}
		if v.Coefficient().IsInt64() && r.IntN(4) != 0 {
			c.Int, c.Big = v.CoefficientInt64(), nil
		}
		return c, true
	case []string:
		return Cell{Kind: CellStrings, Strs: v}, true
	}
	return Cell{}, false
}

// A row appended as cells encodes as clickhouse-go encodes the values the
// cells stand for, for every column type of gens a cell can fill.
func TestCellsEncodeAsTheirValues(t *testing.T) {
	for typ, gen := range gens {
		t.Run(typ, func(t *testing.T) {
			r := rand.New(rand.NewPCG(7, uint64(len(typ))))
			ours, err := New([]Column{{Name: "a", Type: typ}, {Name: "b", Type: "LowCardinality(String)"}})
			if err != nil {
				t.Fatal(err)
			}
			theirs := chproto.NewBlock()
			_ = theirs.AddColumn("a", column.Type(typ))
			_ = theirs.AddColumn("b", "LowCardinality(String)")
			for i := range 3000 {
				v, w := gen(r, i), word(r, 9)
				c, ok := cellFor(r, v)
				if !ok {
					t.Skipf("no cell stands for %T", v)
				}
				if err := ours.AppendCells([]Cell{c, {Kind: CellString, Str: w}}); err != nil {
					t.Fatalf("row %d (%v): %v", i, v, err)
				}
				if err := theirs.Append(v, w); err != nil {
					t.Fatalf("clickhouse-go refused %v: %v", v, err)
				}
			}
			if diff := differs(t, ours, theirs); diff != "" {
				t.Fatal(diff)
			}
		})
	}
}

// A cell of a kind the column does not take is the converter error Append
// gives for its Value, and a decimal the column cannot hold the same value
// error, in either form.
func TestCellsRefusedAsTheirValues(t *testing.T) {
	cases := []struct {
		typ  string
		cell Cell
	}{
		{"String", Cell{Kind: CellInt, Int: 3}},
		{"Int32", Cell{Kind: CellInt, Int: 3}},
		{"UInt64", Cell{Kind: CellInt, Int: 3}},
		{"Nullable(Int64)", Cell{Kind: CellInt32, Int: 3}},
		{"Nullable(Date32)", Cell{Kind: CellString, Str: "2024-01-01"}},
		{"LowCardinality(String)", Cell{Kind: CellFloat, Float: 1}},
		{"Nullable(Decimal(38, 10))", Cell{Kind: CellFloat, Float: 1}},
		{"Nullable(Decimal(38, 10))", Cell{Kind: CellDecimal, Int: math.MaxInt64, Scale: -20}},
		{"Nullable(Decimal(38, 10))", Cell{Kind: CellDecimal, Int: 1, Scale: -40}},
	}
	for _, tc := range cases {
		t.Run(fmt.Sprintf("%s/%v", tc.typ, tc.cell.Kind), func(t *testing.T) {
			byCell, _ := New([]Column{{Name: "c", Type: tc.typ}})
			byValue, _ := New([]Column{{Name: "c", Type: tc.typ}})
			errCell := byCell.AppendCells([]Cell{tc.cell})
			errValue := byValue.Append(tc.cell.Value())
			if errCell == nil || errValue == nil || errCell.Error() != errValue.Error() {
				t.Fatalf("cell: %v; its value: %v", errCell, errValue)
			}
			var conv *column.ColumnConverterError
			if errors.As(errCell, &conv) != errors.As(errValue, &conv) {
				t.Errorf("cell: %v; its value: %v: one is a converter error, the other not", errCell, errValue)
			}
			if _, err := byCell.Encode(nil); err == nil {
				t.Error("a block with part of a row encoded")
			}
		})
	}
}

// Cells at the edges of plain.addCell's direct writes encode as their
// values do through Append: times whose nanoseconds overflow, the zero
// time, days far out, and nulls of every plain type.
func TestCellEdgesEncodeAsTheirValues(t *testing.T) {
	var cells []Cell
	for _, us := range []int64{0, -1, 8_999_999_999_999_999, 9_000_000_000_000_000, -9_000_000_000_000_000,
		9_300_000_000_000_000, math.MaxInt64, math.MinInt64, time.Time{}.UnixMicro()} {
		cells = append(cells, Cell{Kind: CellTime, Int: us})
	}
	for _, d := range []int64{0, -719162, -719163, 1e13 - 1, 1e13, -1e13, math.MaxInt32 + 1, math.MinInt32 - 1, 1e17} {
		cells = append(cells, Cell{Kind: CellDate, Int: d})
	}
	cells = append(cells, Cell{})
	for _, typ := range []string{"Nullable(Date32)", "DateTime64(6, 'UTC')", "Nullable(DateTime64(6, 'UTC'))", "DateTime64(3)"} {
		byCell, _ := New([]Column{{Name: "c", Type: typ}})
		byValue, _ := New([]Column{{Name: "c", Type: typ}})
		for _, c := range cells {
			if err := byCell.AppendCells([]Cell{c}); err != nil {
				t.Fatalf("%s: %v: %v", typ, c, err)
			}
			if err := byValue.Append(c.Value()); err != nil {
				t.Fatalf("%s: %v: %v", typ, c.Value(), err)
			}
		}
		if same, at := sameBytes(t, byCell, byValue); !same {
			t.Errorf("%s: cells and their values differ at byte %d", typ, at)
		}
	}
	for typ := range plainTypes {
		for _, wrap := range []string{"%s", "Nullable(%s)"} {
			ct := fmt.Sprintf(wrap, typ)
			byCell, _ := New([]Column{{Name: "c", Type: ct}})
			byValue, _ := New([]Column{{Name: "c", Type: ct}})
			_ = byCell.AppendCells([]Cell{{}})
			_ = byValue.Append(nil)
			if same, _ := sameBytes(t, byCell, byValue); !same {
				t.Errorf("%s: a null cell and nil differ", ct)
			}
		}
	}
}
