package chblock

import (
	"bytes"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	chbuf "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
	chproto "github.com/ClickHouse/clickhouse-go/v2/lib/proto"
	"github.com/shopspring/decimal"
)

// gen makes the value of row i of a column of a type, nil for null; the
// Go types are the ones the sink's rows hold.
var gens = map[string]func(r *rand.Rand, i int) any{
	"String":                           func(r *rand.Rand, i int) any { return word(r, 50) },
	"Nullable(String)":                 nullOr(func(r *rand.Rand) any { return word(r, 1000) }),
	"LowCardinality(String)":           func(r *rand.Rand, i int) any { return word(r, 5) },
	"LowCardinality(Nullable(String))": nullOr(func(r *rand.Rand) any { return word(r, 7) }),
	"Nullable(Int64)":                  nullOr(func(r *rand.Rand) any { return r.Int64() - r.Int64() }),
	"Nullable(Float64)":                nullOr(func(r *rand.Rand) any { return r.NormFloat64() * 1e6 }),
	"Nullable(Bool)":                   nullOr(func(r *rand.Rand) any { return r.IntN(2) == 1 }),
	"Nullable(Date32)": nullOr(func(r *rand.Rand) any {
		return time.Date(1900+r.IntN(300), 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(366))
	}),
	"DateTime64(6, 'UTC')":           func(r *rand.Rand, i int) any { return someTime(r) },
	"Nullable(DateTime64(6, 'UTC'))": nullOr(func(r *rand.Rand) any { return someTime(r) }),
	"Nullable(Decimal(38, 10))":      nullOr(someDecimal),
	"Int32":                          func(r *rand.Rand, i int) any { return r.Int32() - r.Int32() },
	"Int64":                          func(r *rand.Rand, i int) any { return r.Int64() },
	"UInt64":                         func(r *rand.Rand, i int) any { return r.Uint64() },
	"UInt8":                          func(r *rand.Rand, i int) any { return uint8(r.IntN(2)) },
	"Array(LowCardinality(String))":  func(r *rand.Rand, i int) any { return words(r) },
	"Array(Nullable(String))":        func(r *rand.Rand, i int) any { return wordPtrs(r) },
	"Array(LowCardinality(Nullable(String)))": func(r *rand.Rand, i int) any { return wordPtrs(r) },
}

func word(r *rand.Rand, distinct int) string {
	n := r.IntN(distinct)
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("w%d-%s", n, strings.Repeat("x", n%40))
}

func words(r *rand.Rand) []string {
	out := []string{}
	for range r.IntN(3) {
		out = append(out, word(r, 4))
	}
	return out
}

func wordPtrs(r *rand.Rand) []*string {
	out := []*string{}
	for range r.IntN(3) {
		if r.IntN(3) == 0 {
			out = append(out, nil)
			continue
		}
		w := word(r, 4)
		out = append(out, &w)
	}
	return out
}

func nullOr(f func(*rand.Rand) any) func(*rand.Rand, int) any {
	return func(r *rand.Rand, _ int) any {
		if r.IntN(4) == 0 {
			return nil
		}
		return f(r)
	}
}

func someTime(r *rand.Rand) time.Time {
	return time.UnixMicro(r.Int64N(7e15) - 1e15).UTC()
}

// someDecimal covers the short path (an int64 coefficient scaled up) and
// the long one: a coefficient beyond int64, more decimals than the scale
// (truncated), negative values.
func someDecimal(r *rand.Rand) any {
	switch r.IntN(4) {
	case 0:
		return decimal.New(r.Int64N(1e12)-5e11, -int32(r.IntN(11)))
	case 1:
		big, _ := new(big.Int).SetString(fmt.Sprintf("%d%018d", r.Int64N(1e9), r.Int64N(1e18)), 10)
		if r.IntN(2) == 0 {
			big.Neg(big)
		}
		return decimal.NewFromBigInt(big, -int32(r.IntN(12)))
	case 2:
		return decimal.New(r.Int64()-r.Int64(), -int32(11+r.IntN(8)))
	}
	return decimal.New(r.Int64N(1000), int32(r.IntN(5)))
}

// The bytes of a block are clickhouse-go's, for every column type of the
// pipeline's tables, with nulls, empty strings, wide dictionaries and both
// paths of the decimal conversion.
func TestEncodingIsClickHouseGos(t *testing.T) {
	for typ, gen := range gens {
		for _, rows := range []int{1, 7, 3000} {
			t.Run(fmt.Sprintf("%s/%d", typ, rows), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(rows), uint64(len(typ))))
				ours, err := New([]Column{{Name: "a", Type: typ}, {Name: "b", Type: "String"}})
				if err != nil {
					t.Fatal(err)
				}
				theirs := chproto.NewBlock()
				for _, name := range []string{"a", "b"} {
					ct := column.Type(typ)
					if name == "b" {
						ct = "String"
					}
					if err := theirs.AddColumn(name, ct); err != nil {
						t.Fatal(err)
					}
				}
				// Twice: a Reset block must encode as a new one.
				for round := range 2 {
					ours.Reset()
					theirs.Reset()
					for i := range rows {
						v, w := gen(r, i), word(r, 3)
						if err := theirs.Append(v, w); err != nil {
							t.Fatalf("clickhouse-go refused %v: %v", v, err)
						}
						if err := ours.Append(v, w); err != nil {
							t.Fatalf("row %d: %v", i, err)
						}
					}
					if diff := differs(t, ours, theirs); diff != "" {
						t.Fatalf("round %d: %s", round, diff)
					}
				}
			})
		}
	}
}

// differs describes how ours' encoding differs from clickhouse-go's
// block's, "" when they are the same bytes.
func differs(t *testing.T, ours *Block, theirs *chproto.Block) string {
	t.Helper()
	var want chbuf.Buffer
	if err := theirs.Encode(&want, 0); err != nil {
		t.Fatal(err)
	}
	got, err := ours.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(got, want.Buf) {
		return ""
	}
	return fmt.Sprintf("%d bytes, clickhouse-go %d; first difference at %d", len(got), len(want.Buf), firstDiff(got, want.Buf))
}

// sameBytes reports whether two blocks encode alike, and where not.
func sameBytes(t *testing.T, a, b *Block) (bool, int) {
	t.Helper()
	x, err := a.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	y, err := b.Encode(nil)
	if err != nil {
		t.Fatal(err)
	}
	return bytes.Equal(x, y), firstDiff(x, y)
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// A dictionary past 255 values takes two-byte indexes, past 65,535 four.
func TestWideDictionaries(t *testing.T) {
	for _, distinct := range []int{254, 255, 300, 70000} {
		ours, _ := New([]Column{{Name: "c", Type: "LowCardinality(Nullable(String))"}})
		theirs := chproto.NewBlock()
		_ = theirs.AddColumn("c", "LowCardinality(Nullable(String))")
		for i := range distinct + 10 {
			v := any(fmt.Sprint(i % distinct))
			if i%17 == 0 {
				v = nil
			}
			if err := ours.Append(v); err != nil {
				t.Fatal(err)
			}
			if err := theirs.Append(v); err != nil {
				t.Fatal(err)
			}
		}
		if diff := differs(t, ours, theirs); diff != "" {
			t.Errorf("%d distinct: %s", distinct, diff)
		}
	}
}

// A Go type a column never takes is clickhouse-go's converter error (the
// sink holds the batch); a value the column cannot hold is another error
// (the sink dead-letters the row). Either way the block must be Reset.
func TestRefusedValues(t *testing.T) {
	b, err := New([]Column{{Name: "s", Type: "String"}, {Name: "d", Type: "Nullable(Decimal(38, 10))"}})
	if err != nil {
		t.Fatal(err)
	}
	var conv *column.ColumnConverterError
	if err := b.Append(42, nil); !errors.As(err, &conv) {
		t.Errorf("an int for String: %v, want a ColumnConverterError", err)
	}
	if _, err := b.Encode(nil); err == nil {
		t.Error("a block with part of a row encoded")
	}
	b.Reset()
	huge, _ := new(big.Int).SetString("1"+strings.Repeat("0", 40), 10)
	err = b.Append("x", decimal.NewFromBigInt(huge, -10))
	if err == nil || errors.As(err, &conv) {
		t.Errorf("a decimal beyond 128 bits: %v, want an error that is not a converter error", err)
	}
	b.Reset()
	if err := b.Append("x", decimal.RequireFromString("-170141183460469231731.6871303715884105728")); err != nil {
		t.Errorf("the least Int128: %v", err)
	}
	if b.Rows() != 1 {
		t.Errorf("%d rows after Reset and one row", b.Rows())
	}
}

func TestUnknownTypeIsAnError(t *testing.T) {
	if _, err := New([]Column{{Name: "x", Type: "NoSuchType(3)"}}); err == nil || !strings.Contains(err.Error(), "x") {
		t.Errorf("unknown type: %v, want an error naming the column", err)
	}
}

// Decimals at the edges of the short path: a negative product whose low
// word is zero (the borrow into the high word), 18 and 19 digits, the
// scale's last digit and one beyond it, zero.
func TestDecimalEdges(t *testing.T) {
	const typ = "Nullable(Decimal(38, 10))"
	ours, _ := New([]Column{{Name: "d", Type: typ}})
	theirs := chproto.NewBlock()
	_ = theirs.AddColumn("d", typ)
	for _, v := range []decimal.Decimal{
		decimal.New(-1<<54, 0), decimal.New(1<<54, 0), decimal.New(-1<<54, -3),
		decimal.New(-999_999_999_999_999_999, 0), decimal.New(999_999_999_999_999_999, 9),
		decimal.New(-9_223_372_036_854_775_807, 0), decimal.New(1234567890123456789, -10),
		decimal.New(-15, -11), decimal.New(15, -11), decimal.Zero, decimal.New(0, -30), decimal.New(7, 17),
	} {
		if err := ours.Append(v); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		if err := theirs.Append(v); err != nil {
			t.Fatalf("clickhouse-go: %s: %v", v, err)
		}
	}
	if diff := differs(t, ours, theirs); diff != "" {
		t.Error(diff)
	}
}
