// Package chblock builds ClickHouse Native blocks from rows of Go values,
// for an INSERT ... FORMAT Native sent over HTTP.
//
// Why not clickhouse-go's batch: it builds a new block per insert, whose
// columns grow from empty, and it appends each value through reflection
// and interface-keyed maps. A Block here is kept from batch to batch (Reset
// keeps its buffers), and each column writes a value straight into its
// Native encoding. The values accepted, and their encoding, are
// clickhouse-go's: the tests compare the bytes with its block's for every
// column type the pipeline's tables use. A type this package has no column
// of is served by clickhouse-go's own column (lib/column), so a Block
// takes any type clickhouse-go takes, only slower.
//
// Over HTTP the engine reads Native at protocol revision 0: no block info,
// no custom-serialization flags (clickhouse-go writes the same).
package chblock

import (
	"fmt"
	"strconv"
	"strings"

	chbuf "github.com/ClickHouse/ch-go/proto"
	"github.com/ClickHouse/clickhouse-go/v2/lib/column"
)

// Column names a column of a block and its ClickHouse type.
type Column struct{ Name, Type string }

// Block is the rows of one insert, column by column, already encoded.
// It is not safe for concurrent use.
type Block struct {
	names, types []string
	cols         []col
	rows         int
	broken       bool // a row was appended to some columns only
}

// col is one column's values in their Native encoding.
type col interface {
	// append adds v, or returns an error and adds nothing. An error for a
	// Go type the column never takes is a *column.ColumnConverterError.
	append(v any) error
	// appendCell is append of c's Value, without boxing it.
	appendCell(c *Cell) error
	reset()
	// prefix appends the column's state prefix (LowCardinality's version).
	prefix(dst []byte) []byte
	// encode appends the values of rows rows.
	encode(dst []byte, rows int) []byte
}

// New returns an empty block of cols, or an error naming a type neither
// this package nor clickhouse-go knows.
func New(cols []Column) (*Block, error) {
	b := &Block{}
	for _, c := range cols {
		cc, err := newCol(c.Type)
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name, err)
		}
		b.names = append(b.names, c.Name)
		b.types = append(b.types, c.Type)
		b.cols = append(b.cols, cc)
	}
	return b, nil
}

// Names returns the columns' names, in order.
func (b *Block) Names() []string { return b.names }

// Rows is the number of rows appended since the last Reset.
func (b *Block) Rows() int { return b.rows }

// Reset empties the block, keeping its buffers for the next rows.
func (b *Block) Reset() {
	for _, c := range b.cols {
		c.reset()
	}
	b.rows, b.broken = 0, false
}

// Append adds one row, its values in the columns' order. After an error
// the block holds part of that row: it must be Reset before it is used
// again (Encode refuses it).
func (b *Block) Append(row ...any) error {
	if len(row) != len(b.cols) {
		return fmt.Errorf("row of %d values for %d columns", len(row), len(b.cols))
	}
	for i, v := range row {
		if err := b.cols[i].append(v); err != nil {
			b.broken = true
			return fmt.Errorf("column %s (%s): %w", b.names[i], b.types[i], err)
		}
	}
	b.rows++
	return nil
}

// Encode appends the block's Native encoding to dst.
func (b *Block) Encode(dst []byte) ([]byte, error) {
	if b.broken {
		return dst, fmt.Errorf("block holds part of a refused row: Reset it")
	}
	dst = appendUvarint(dst, uint64(len(b.cols)))
	dst = appendUvarint(dst, uint64(b.rows))
	for i, c := range b.cols {
		dst = appendString(dst, b.names[i])
		dst = appendString(dst, b.types[i])
		dst = c.prefix(dst)
		dst = c.encode(dst, b.rows)
	}
	return dst, nil
}

// newCol returns the column of a ClickHouse type.
func newCol(typ string) (col, error) {
	if inner, ok := unwrap(typ, "Nullable"); ok {
		if v := newValues(inner); v != nil {
			return &nullable{values: v}, nil
		}
	} else if inner, ok := unwrap(typ, "LowCardinality"); ok {
		if inner == "String" {
			return &lowCardinality{}, nil
		}
		if s, ok := unwrap(inner, "Nullable"); ok && s == "String" {
			return &lowCardinality{nullable: true}, nil
		}
	} else if v := newValues(typ); v != nil {
		return &notNull{values: v}, nil
	}
	c, err := column.Type(typ).Column("", &column.ServerContext{})
	if err != nil {
		return nil, err
	}
	return &driverCol{c: c}, nil
}

// unwrap returns X of wrapper(X).
func unwrap(typ, wrapper string) (string, bool) {
	if !strings.HasPrefix(typ, wrapper+"(") || !strings.HasSuffix(typ, ")") {
		return "", false
	}
	return typ[len(wrapper)+1 : len(typ)-1], true
}

// plainTypes are the types of one Go type each (values.go).
var plainTypes = map[string]encoder{
	"String": appendText, "Int32": appendInt32, "Int64": appendInt64, "UInt8": appendUInt8, "UInt64": appendUInt64,
	"Float64": appendFloat64, "Bool": appendBool, "Date32": appendDate32,
}

// newValues returns the values column of a plain type, nil when this
// package has none.
func newValues(typ string) *plain {
	if to, ok := plainTypes[typ]; ok {
		return &plain{to: to, typ: typ}
	}
	if args, ok := unwrap(typ, "DateTime64"); ok {
		p, tz, _ := strings.Cut(args, ",")
		prec, err := strconv.Atoi(strings.TrimSpace(p))
		// Only the zone the pipeline uses: another would change what a
		// zoneless value means.
		if err != nil || prec < 0 || prec > 9 || tz != "" && strings.TrimSpace(tz) != "'UTC'" {
			return nil
		}
		return &plain{to: appendDateTime64(chbuf.Precision(prec)), typ: typ}
	}
	if args, ok := unwrap(typ, "Decimal"); ok {
		p, s, ok := strings.Cut(args, ",")
		prec, err1 := strconv.Atoi(strings.TrimSpace(p))
		scale, err2 := strconv.Atoi(strings.TrimSpace(s))
		// Decimal128 only: precisions 19 to 38.
		if !ok || err1 != nil || err2 != nil || prec < 19 || prec > 38 || scale < 0 || scale > prec {
			return nil
		}
		return &plain{to: appendDecimal128(int32(scale), typ), typ: typ}
	}
	return nil
}

// driverCol is clickhouse-go's column of a type this package lacks.
type driverCol struct {
	c   column.Interface
	buf chbuf.Buffer
}

func (d *driverCol) append(v any) error { return d.c.AppendRow(v) }

func (d *driverCol) appendCell(c *Cell) error { return d.c.AppendRow(c.Value()) }

func (d *driverCol) reset() { d.c.Reset() }

func (d *driverCol) prefix(dst []byte) []byte {
	if s, ok := d.c.(column.CustomSerialization); ok {
		d.buf.Buf = dst
		_ = s.WriteStatePrefix(&d.buf) // writes to memory: no error
		dst = d.buf.Buf
	}
	return dst
}

func (d *driverCol) encode(dst []byte, _ int) []byte {
	d.buf.Buf = dst
	d.c.Encode(&d.buf)
	dst = d.buf.Buf
	d.buf.Buf = nil
	return dst
}
