package schemas

import (
	"strconv"
	"strings"
)

// ClickHouseDatabase holds one table per resource, named after it.
const ClickHouseDatabase = "belvo"

// DedupWindow is how many recent insert blocks ClickHouse remembers per table
// to drop a repeated insert_deduplication_token. It must exceed the number of
// blocks a sink can re-send after a crash between insert and offset commit.
const DedupWindow = 1000

// Columns that come from the Kafka message or the load itself rather than
// from the Avro record.
const (
	ColumnLoadedAt  = "loaded_at"
	ColumnTopic     = "topic"
	ColumnPartition = "partition"
	ColumnOffset    = "offset"
	ColumnVersion   = "version"    // fetched_at in microseconds: the latest fetch wins
	ColumnIsDeleted = "is_deleted" // 1 for a deletion fact
)

// Column is one column of a resource table.
type Column struct {
	Name string
	Type string
	// Default is a ClickHouse expression. A column with a default is filled
	// by the server and left out of InsertColumns.
	Default string
}

// decimalColumn is the column type of money: Decimal(DecimalPrecision,
// DecimalScale), as the Avro decimal carries it.
var decimalColumn = "Nullable(Decimal(" + strconv.Itoa(DecimalPrecision) + ", " + strconv.Itoa(DecimalScale) + "))"

// ClickHouseColumns returns the resource table's columns in table order: the
// Avro record's fields in schema order (deleted excepted, which becomes
// is_deleted), then the load and Kafka lineage, then the replacing engine's
// version and is_deleted.
func (r Resource) ClickHouseColumns() []Column {
	cols := make([]Column, 0, len(r.Fields)+13)
	cols = append(cols,
		Column{Name: FieldID, Type: "String"},
		Column{Name: FieldLinkID, Type: "String"},
	)
	for _, f := range r.Fields {
		cols = append(cols, Column{Name: f.Name, Type: f.Kind.ClickHouseType()})
	}
	return append(cols,
		// A deletion has no raw JSON; it is stored as "" rather than
		// making the widest column Nullable.
		Column{Name: FieldRaw, Type: "String"},
		Column{Name: FieldWebhookID, Type: "Nullable(String)"},
		Column{Name: FieldRequestID, Type: "Nullable(String)"},
		Column{Name: FieldFetchedAt, Type: "DateTime64(6, 'UTC')"},
		// Empty for a record whose every value fit: an array, not Nullable.
		Column{Name: FieldUnfit, Type: "Array(LowCardinality(String))"},
		Column{Name: ColumnLoadedAt, Type: "DateTime64(6, 'UTC')", Default: "now64(6)"},
		Column{Name: ColumnTopic, Type: "LowCardinality(String)"},
		Column{Name: ColumnPartition, Type: "Int32"},
		Column{Name: ColumnOffset, Type: "Int64"},
		Column{Name: ColumnVersion, Type: "UInt64"},
		Column{Name: ColumnIsDeleted, Type: "UInt8"},
	)
}

// InsertColumns returns the columns a sink inserts, in the order of
// ClickHouseColumns without those the server fills (loaded_at). Name them in
// the INSERT: a bare INSERT INTO t breaks when a column is added.
func (r Resource) InsertColumns() []Column {
	all := r.ClickHouseColumns()
	cols := all[:0]
	for _, c := range all {
		if c.Default == "" {
			cols = append(cols, c)
		}
	}
	return cols
}

// CreateTable returns the CREATE TABLE statement of the resource's table,
// without a trailing semicolon. With cluster set, the table is created ON
// CLUSTER with a replicated engine; the name may be a macro like {cluster}.
//
// No PARTITION BY: ReplacingMergeTree only replaces rows within a partition,
// so partitioning by fetch time would keep every re-fetch of a record.
func (r Resource) CreateTable(cluster string) string {
	var b strings.Builder
	b.WriteString("CREATE TABLE IF NOT EXISTS ")
	b.WriteString(QuoteIdent(ClickHouseDatabase) + "." + QuoteIdent(r.Name))
	if cluster != "" {
		b.WriteString(" ON CLUSTER " + quoteString(cluster))
	}
	b.WriteString("\n")
	writeColumnList(&b, r.ClickHouseColumns())
	engineArgs := QuoteIdent(ColumnVersion) + ", " + QuoteIdent(ColumnIsDeleted)
	if cluster == "" {
		b.WriteString("ENGINE = ReplacingMergeTree(" + engineArgs + ")\n")
	} else {
		b.WriteString("ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', " + engineArgs + ")\n")
	}
	b.WriteString("ORDER BY (" + QuoteIdent(FieldLinkID) + ", " + QuoteIdent(FieldID) + ")\n")
	// insert_deduplication_token is ignored by a non-replicated table
	// unless its window is set; a replicated table has one by default but
	// the sink's exactly-once effect depends on it, so it is stated.
	if cluster == "" {
		b.WriteString("SETTINGS non_replicated_deduplication_window = " + strconv.Itoa(DedupWindow))
	} else {
		b.WriteString("SETTINGS replicated_deduplication_window = " + strconv.Itoa(DedupWindow))
	}
	return b.String()
}

// QuoteIdent quotes a ClickHouse identifier. Column names such as offset
// and partition are keywords in some positions, so every identifier is
// quoted rather than only the ones known to clash.
func QuoteIdent(name string) string {
	return "`" + strings.NewReplacer("\\", "\\\\", "`", "\\`").Replace(name) + "`"
}

func quoteString(s string) string {
	return "'" + strings.NewReplacer("\\", "\\\\", "'", "\\'").Replace(s) + "'"
}

// writeColumnList writes a CREATE TABLE's parenthesised column list, one
// column per line, each with its DEFAULT when it has one.
func writeColumnList(b *strings.Builder, cols []Column) {
	b.WriteString("(\n")
	for i, c := range cols {
		b.WriteString("    " + QuoteIdent(c.Name) + " " + c.Type)
		if c.Default != "" {
			b.WriteString(" DEFAULT " + c.Default)
		}
		if i < len(cols)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString(")\n")
}
