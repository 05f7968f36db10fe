package records

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/schemas"
)

// FuzzRowDecoderAgreesWithRow feeds arbitrary bytes, as a record of any
// table, to the sink's two ways to a row: RowDecoder, and goavro's decode
// followed by Row (the reference). Whenever the RowDecoder makes a row,
// goavro must decode the bytes and Row must make the same row, value for
// value, unfit_fields included: the sink trusts it without asking goavro.
// Giving up where goavro succeeds is allowed (the sink falls back). The
// cells CellsIn makes encode in a block as Row's values do.
func FuzzRowDecoderAgreesWithRow(f *testing.F) {
	type table struct {
		c   *Converter
		dec *RowDecoder
	}
	var tables []table
	for _, r := range schemas.Tables() {
		c, err := New(r)
		if err != nil {
			f.Fatal(err)
		}
		dec, err := c.RowDecoder(r.AvroSchema())
		if err != nil {
			f.Fatal(err)
		}
		tables = append(tables, table{c, dec})
	}
	rnd := rand.New(rand.NewPCG(9, 10))
	for i, tb := range tables {
		writer, err := parseAvro(tb.c.Resource().AvroSchema())
		if err != nil {
			f.Fatal(err)
		}
		for range 2 {
			n := avroGen{rnd}.native(writer).(map[string]any)
			bin, err := tb.c.Codec().BinaryFromNative(nil, n)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(uint8(i), bin)
		}
	}
	pos := Position{Topic: "t", Partition: 1, Offset: 2}
	f.Fuzz(func(t *testing.T, which uint8, bin []byte) {
		tb := tables[int(which)%len(tables)]
		fast, ok := tb.dec.Row(bin, pos)
		if !ok {
			return
		}
		native, rest, err := tb.c.Codec().NativeFromBinary(bin)
		if err != nil || len(rest) != 0 {
			t.Fatalf("%s: RowDecoder made a row of % x, which goavro refuses (%v, %d bytes left)", tb.c.Resource().Name, bin, err, len(rest))
		}
		slow, err := tb.c.Row(nil, native.(map[string]any), pos)
		if err != nil {
			t.Fatalf("%s: RowDecoder made a row Row refuses: %v", tb.c.Resource().Name, err)
		}
		cols := tb.c.Resource().InsertColumns()
		for i := range slow {
			if !sameColumn(fast[i], slow[i]) {
				t.Fatalf("%s column %s: RowDecoder %#v, Row %#v", tb.c.Resource().Name, cols[i].Name, fast[i], slow[i])
			}
		}
		cells := make([]chblock.Cell, tb.dec.Width())
		if !tb.dec.CellsIn(cells, bin, pos) {
			t.Fatalf("%s: CellsIn gave up where Row did not", tb.c.Resource().Name)
		}
		byCells, byValues := newBlock(t, cols), newBlock(t, cols)
		if err := byCells.AppendCells(cells); err != nil {
			t.Fatalf("%s: %v", tb.c.Resource().Name, err)
		}
		if err := byValues.Append(slow...); err != nil {
			t.Fatalf("%s: %v", tb.c.Resource().Name, err)
		}
		a, _ := byCells.Encode(nil)
		b, _ := byValues.Encode(nil)
		if !bytes.Equal(a, b) {
			t.Fatalf("%s: the block of CellsIn's cells differs from Row's", tb.c.Resource().Name)
		}
	})
}

func newBlock(t *testing.T, cols []schemas.Column) *chblock.Block {
	t.Helper()
	cc := make([]chblock.Column, len(cols))
	for i, c := range cols {
		cc[i] = chblock.Column{Name: c.Name, Type: c.Type}
	}
	b, err := chblock.New(cc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// sameColumn is sameValue with a float's bits (NaN and -0 included) and a
// decimal's exponent held too: ClickHouse gets exactly these values.
func sameColumn(a, b any) bool {
	switch x := a.(type) {
	case float64:
		y, ok := b.(float64)
		return ok && math.Float64bits(x) == math.Float64bits(y)
	case decimal.Decimal:
		y, ok := b.(decimal.Decimal)
		return ok && x.Equal(y) && x.Exponent() == y.Exponent()
	}
	return sameValue(a, b)
}
