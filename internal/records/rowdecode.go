package records

import (
	"fmt"
	"sync"

	"github.com/finflow/belvo-pipeline/internal/chblock"
	"github.com/finflow/belvo-pipeline/schemas"
)

// RowDecoder turns the Avro records of one writer schema straight into
// rows of the resource's table (the values and order Row gives), without
// goavro's map per record and per union value, which was most of the
// sink's own cost (its BenchmarkDecodeRow). Compile one per writer schema
// id: a record written with an older or newer schema version decodes with
// its own schema, as goavro would.
//
// It only ever answers with the row goavro and Row would have made; for
// anything else (malformed bytes, an empty id, a fetch time before 1970)
// it answers ok false, and the caller decodes with goavro, which then also
// decides what is wrong. It is safe for concurrent use.
type RowDecoder struct {
	proj      *projection
	width     int
	id        int // slots of the columns filled or checked after decoding
	raw       int
	fetchedAt int
	topic     int
	partition int
	offset    int
	version   int
	isDeleted int
	unfit     int
	names     []string // column names by slot, for the unfit ones
}

// RowDecoder compiles the decoding of records written with writerSchema
// into rows of the converter's table. It returns an error when the writer
// schema is not one it decodes exactly as goavro does: the caller then
// keeps goavro for that schema.
func (c *Converter) RowDecoder(writerSchema string) (*RowDecoder, error) {
	writer, err := parseAvro(writerSchema)
	if err != nil {
		return nil, err
	}
	cols := c.res.InsertColumns()
	d := &RowDecoder{width: len(cols), names: make([]string, len(cols))}
	proj := make([]projColumn, len(cols))
	slots := map[string]*int{
		schemas.FieldID: &d.id, schemas.FieldRaw: &d.raw, schemas.FieldFetchedAt: &d.fetchedAt,
		schemas.ColumnTopic: &d.topic, schemas.ColumnPartition: &d.partition, schemas.ColumnOffset: &d.offset,
		schemas.ColumnVersion: &d.version, schemas.ColumnIsDeleted: &d.isDeleted, schemas.FieldUnfit: &d.unfit,
	}
	kindOf := map[string]schemas.Kind{}
	for _, f := range c.res.Fields {
		kindOf[f.Name] = f.Kind
	}
	found := 0
	for i, col := range cols {
		name := col.Name
		d.names[i] = name
		if s := slots[name]; s != nil {
			*s = i
			found++
		}
		switch name {
		case schemas.FieldID, schemas.FieldLinkID:
			proj[i] = projColumn{Name: name, Want: asString}
		case schemas.FieldRaw, schemas.FieldWebhookID, schemas.FieldRequestID:
			proj[i] = projColumn{Name: name, Want: asString, Nullable: true, Optional: true}
		case schemas.FieldFetchedAt:
			proj[i] = projColumn{Name: name, Want: asTimestamp}
		case schemas.FieldUnfit:
			proj[i] = projColumn{Name: name, Want: asStrings, Nullable: true, Optional: true}
		case schemas.ColumnIsDeleted:
			// Decoded as the record's deleted flag, then made the UInt8.
			proj[i] = projColumn{Name: schemas.FieldDeleted, Want: asBoolean, Optional: true}
		case schemas.ColumnTopic, schemas.ColumnPartition, schemas.ColumnOffset, schemas.ColumnVersion:
			// Filled from the position and the fetch time.
		default:
			k, ok := kindOf[name]
			if !ok {
				return nil, fmt.Errorf("%w: column %s of %s", errUnsupported, name, c.res.Name)
			}
			proj[i] = projColumn{Name: name, Want: kinds[k].decode, Nullable: true, Optional: true, Fits: kinds[k].fitsCell}
		}
	}
	if found != len(slots) {
		return nil, fmt.Errorf("%w: %s lacks a lineage column", errUnsupported, c.res.Name)
	}
	if d.proj, err = project(writer, proj); err != nil {
		return nil, err
	}
	return d, nil
}

// Row decodes body, the Avro record after its wire-format header, into a
// new row. Its strings alias body, which must never be modified afterwards:
// copying the 7 KB raw JSON of a transaction cost a third of its decoding.
func (d *RowDecoder) Row(body []byte, pos Position) ([]any, bool) {
	return d.RowIn(make([]any, d.width), body, pos)
}

// Width is the number of values in a row.
func (d *RowDecoder) Width() int { return d.width }

var cellRows = sync.Pool{New: func() any { return new([]chblock.Cell) }}

// RowIn is Row into row, Width() values: a caller holding many rows can
// carve them out of one allocation. Its values are the Go values of the
// cells CellsIn gives (chblock.Cell.Value), but for the lineage columns,
// of the Go types Row gives.
func (d *RowDecoder) RowIn(row []any, body []byte, pos Position) ([]any, bool) {
	cells := cellRows.Get().(*[]chblock.Cell)
	defer cellRows.Put(cells)
	if cap(*cells) < d.width {
		*cells = make([]chblock.Cell, d.width)
	}
	c := (*cells)[:d.width]
	if !d.CellsIn(c, body, pos) {
		return nil, false
	}
	for i := range c {
		row[i] = c[i].Value()
	}
	return row, true
}

// CellsIn decodes body, as Row does, into cells, Width() of them: the row
// as values of the column types, with no allocation but for the unfit
// names. Its strings alias body, as Row's.
func (d *RowDecoder) CellsIn(cells []chblock.Cell, body []byte, pos Position) bool {
	unfit, err := d.proj.decodeCells(body, cells)
	if err != nil {
		return false
	}
	if id := &cells[d.id]; id.Kind != chblock.CellString || id.Str == "" {
		return false
	}
	// Not nullable: a fetch time is always decoded, as a time.
	fetched := cells[d.fetchedAt].Int
	if fetched < 0 {
		return false // before 1970
	}
	if raw := &cells[d.raw]; raw.Kind == chblock.CellNull {
		*raw = chblock.Cell{Kind: chblock.CellString} // the column is not Nullable, as in Row
	}
	names := &cells[d.unfit]
	if len(unfit) > 0 {
		strs := names.Strs
		for _, i := range unfit {
			strs = append(strs, d.names[i])
		}
		*names = chblock.Cell{Kind: chblock.CellStrings, Strs: strs}
	} else if names.Kind == chblock.CellNull {
		*names = chblock.Cell{Kind: chblock.CellStrings, Strs: noUnfitNames}
	}
	deleted := &cells[d.isDeleted]
	*deleted = chblock.Cell{Kind: chblock.CellUInt8, Int: deleted.Int} // a CellBool's 0 or 1; null is 0
	cells[d.topic] = chblock.Cell{Kind: chblock.CellString, Str: pos.Topic}
	cells[d.partition] = chblock.Cell{Kind: chblock.CellInt32, Int: int64(pos.Partition)}
	cells[d.offset] = chblock.Cell{Kind: chblock.CellInt, Int: pos.Offset}
	cells[d.version] = chblock.Cell{Kind: chblock.CellUInt64, Int: fetched}
	return true
}

// noUnfitNames is the unfit names of a row whose every value fit.
var noUnfitNames = []string{}
