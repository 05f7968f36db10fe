package migrate

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// testDatabase returns a connection to the real engine and a database name
// no other run uses, dropped when the test ends.
func testDatabase(t *testing.T) (clickhouse.Conn, string) {
	t.Helper()
	dsn := testenv.ClickHouse(t)
	conn, _, err := Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	db := "test_migrate_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+db+" SYNC"); err != nil {
			t.Errorf("drop %s: %v", db, err)
		}
		conn.Close()
	})
	return conn, db
}

func TestApplyIsIdempotentAndRecordsChecksums(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	target := Target{Database: db}
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	var versions []int
	for _, m := range all {
		versions = append(versions, m.Version)
	}
	got, err := Apply(ctx, conn, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, versions) {
		t.Fatalf("first run applied %v, want %v", got, versions)
	}
	if got, err = Apply(ctx, conn, target, nil); err != nil || len(got) != 0 {
		t.Fatalf("second run applied %v (err %v), want nothing", got, err)
	}
	recorded, err := appliedChecksums(ctx, conn, "`"+db+"`")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range all {
		if recorded[m.Version] != m.Checksum {
			t.Errorf("%04d recorded checksum %q, want %q", m.Version, recorded[m.Version], m.Checksum)
		}
	}

	// A generated migration whose generator changed is applied again; a
	// hand-written one that changed after it was applied is refused.
	for _, tc := range []struct {
		version int
		wantErr bool
	}{{1, false}, {2, true}} {
		if err := conn.Exec(ctx, fmt.Sprintf("INSERT INTO `%s`.`schema_migrations` VALUES (%d, 'x', 'stale', now64(6) + 1)", db, tc.version)); err != nil {
			t.Fatal(err)
		}
		got, err := Apply(ctx, conn, target, nil)
		if tc.wantErr {
			if err == nil || !strings.Contains(err.Error(), "changed after it was applied") {
				t.Fatalf("edited %04d: applied %v, err %v", tc.version, got, err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, []int{tc.version}) {
			t.Fatalf("regenerated %04d: applied %v, err %v", tc.version, got, err)
		}
	}
}

// avroColumns is what a table must hold for an Avro record schema, by rules
// written independently of the generator: each field is a column of the
// same name (an array of records is one array column per member,
// <field>_<member>), a nullable union is Nullable, strings may be
// LowCardinality. The resource records' boolean deleted is the engine's
// is_deleted, and their raw is the one nullable field stored non-Nullable.
func avroColumns(t *testing.T, schema string) map[string][]string {
	t.Helper()
	var rec struct {
		Fields []struct {
			Name string          `json:"name"`
			Type json.RawMessage `json:"type"`
		} `json:"fields"`
	}
	if err := json.Unmarshal([]byte(schema), &rec); err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for _, f := range rec.Fields {
		if f.Name == schemas.FieldDeleted {
			out[schemas.ColumnIsDeleted] = []string{"UInt8"}
			continue
		}
		nullable, inner := unwrapUnion(t, f.Type)
		var compact bytes.Buffer
		_ = json.Compact(&compact, inner)
		if compact.String() == `{"type":"array","items":"string"}` {
			// unfit_fields: null is the empty array.
			out[f.Name] = []string{"Array(String)", "Array(LowCardinality(String))"}
			continue
		}
		var arr struct {
			Type  string `json:"type"`
			Items struct {
				Fields []struct {
					Name string          `json:"name"`
					Type json.RawMessage `json:"type"`
				} `json:"fields"`
			} `json:"items"`
		}
		if json.Unmarshal(inner, &arr) == nil && arr.Type == "array" {
			for _, m := range arr.Items.Fields {
				n, mt := unwrapUnion(t, m.Type)
				var types []string
				for _, ty := range scalarTypes(t, n, mt) {
					types = append(types, "Array("+ty+")")
				}
				out[f.Name+"_"+m.Name] = types
			}
			continue
		}
		if f.Name == schemas.FieldRaw {
			// The widest column is not Nullable: a deletion's null raw is
			// stored as "" (schemas.ClickHouseColumns says so).
			nullable = false
		}
		out[f.Name] = scalarTypes(t, nullable, inner)
	}
	return out
}

func unwrapUnion(t *testing.T, raw json.RawMessage) (bool, json.RawMessage) {
	var union []json.RawMessage
	if json.Unmarshal(raw, &union) != nil {
		return false, raw
	}
	if len(union) != 2 || string(union[0]) != `"null"` {
		t.Fatalf("union %s is not [null, T]", raw)
	}
	return true, union[1]
}

func scalarTypes(t *testing.T, nullable bool, raw json.RawMessage) []string {
	var name string
	var logical struct {
		Type        string `json:"type"`
		LogicalType string `json:"logicalType"`
		Precision   int    `json:"precision"`
		Scale       int    `json:"scale"`
	}
	if json.Unmarshal(raw, &name) != nil {
		if err := json.Unmarshal(raw, &logical); err != nil {
			t.Fatalf("type %s: %v", raw, err)
		}
		name = logical.Type + "." + logical.LogicalType
	}
	var base []string
	switch name {
	case "string":
		base = []string{"String", "LowCardinality(String)"}
	case "long":
		base = []string{"Int64"}
	case "double":
		base = []string{"Float64"}
	case "boolean":
		base = []string{"Bool"}
	case "bytes.decimal":
		base = []string{fmt.Sprintf("Decimal(%d, %d)", logical.Precision, logical.Scale)}
	case "int.date":
		base = []string{"Date32"}
	case "long.timestamp-micros":
		base = []string{"DateTime64(6, 'UTC')"}
	default:
		t.Fatalf("no ClickHouse type for Avro %s", raw)
	}
	if !nullable {
		return base
	}
	var out []string
	for _, b := range base {
		if inner, ok := strings.CutPrefix(b, "LowCardinality("); ok {
			out = append(out, "LowCardinality(Nullable("+strings.TrimSuffix(inner, ")")+"))")
		} else {
			out = append(out, "Nullable("+b+")")
		}
	}
	return out
}

// Lineage columns every loaded table carries besides its record's fields.
var lineage = map[string]string{
	schemas.ColumnLoadedAt:  "DateTime64(6, 'UTC')",
	schemas.ColumnTopic:     "LowCardinality(String)",
	schemas.ColumnPartition: "Int32",
	schemas.ColumnOffset:    "Int64",
	schemas.ColumnVersion:   "UInt64",
}

// Every table the migrations create matches the Avro schema of the topic it
// is loaded from, field for field and type for type, on the real engine
// (types as the engine reports them, not as the DDL spells them); no table
// lacks a schema and no schema lacks a table.
func TestTablesMatchAvroSchemas(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	if _, err := Apply(ctx, conn, Target{Database: db}, nil); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"webhook_events": schemas.WebhookEventSchema, "institution_status": schemas.InstitutionStatusSchema}
	for _, r := range schemas.Tables() {
		want[r.Name] = r.AvroSchema()
	}
	rows, err := conn.Query(ctx, "SELECT table, name, type FROM system.columns WHERE database = ? AND table IN (SELECT name FROM system.tables WHERE database = ? AND engine LIKE '%MergeTree') ORDER BY table, position", db, db)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	live := map[string]map[string]string{}
	for rows.Next() {
		var table, name, typ string
		if err := rows.Scan(&table, &name, &typ); err != nil {
			t.Fatal(err)
		}
		if live[table] == nil {
			live[table] = map[string]string{}
		}
		live[table][name] = typ
	}
	// Tables the operator tools write, not the sink: no topic, no Avro schema.
	delete(live, "schema_migrations")
	delete(live, "erasures")
	for table, schema := range want {
		cols, ok := live[table]
		if !ok {
			t.Errorf("no table %s for its Avro schema", table)
			continue
		}
		expect := avroColumns(t, schema)
		for name, types := range expect {
			if !slices.Contains(types, cols[name]) {
				t.Errorf("%s.%s: type %q, want one of %v (Avro)", table, name, cols[name], types)
			}
		}
		for name, typ := range cols {
			if _, ok := expect[name]; ok {
				continue
			}
			if lineage[name] != typ {
				t.Errorf("%s.%s %s is neither in the Avro schema nor a lineage column", table, name, typ)
			}
		}
	}
	for table := range live {
		if _, ok := want[table]; !ok {
			t.Errorf("table %s has no Avro schema", table)
		}
	}
}

// The analytics views compile against the tables the migrations made and
// return the columns docs/analytics.md documents.
func TestViewsAnswer(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	if _, err := Apply(ctx, conn, Target{Database: db}, nil); err != nil {
		t.Fatal(err)
	}
	for view, cols := range map[string]string{
		"current_transactions": "id, link_id, amount, currency, value_date",
		"daily_cash_flow":      "link_id, currency, direction, day, transactions, amount",
		"invoices_monthly":     "month, type, status, currency, invoices, total_amount",
		"freshness":            "resource, rows, p50_seconds, p95_seconds, p99_seconds, max_seconds, last_loaded_at",
	} {
		rows, err := conn.Query(ctx, "SELECT "+cols+" FROM `"+db+"`.`"+view+"`")
		if err != nil {
			t.Errorf("%s: %v", view, err)
			continue
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			t.Errorf("%s: %v", view, err)
		}
		rows.Close()
	}
}
