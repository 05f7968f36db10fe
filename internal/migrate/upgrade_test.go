package migrate

import (
	"context"
	"slices"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// A table an older release created lacks the columns added since (typed
// fields, unfit_fields); applying migration 0001 again gives it every one,
// in the place a new table has it, and keeps its rows.
func TestRecordTablesUpgradeAnOlderTable(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	target := Target{Database: db}
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS "+schemas.QuoteIdent(db)); err != nil {
		t.Fatal(err)
	}
	r, _ := schemas.TableByName("transactions")
	table := schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(r.Name)
	// The older table: today's without its last typed field and
	// unfit_fields.
	dropped := []string{r.Fields[len(r.Fields)-1].Name, schemas.FieldUnfit}
	for _, stmt := range SplitStatements(RecordTables(target)) {
		if err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("%s: %v", stmt, err)
		}
	}
	for _, c := range dropped {
		if err := conn.Exec(ctx, "ALTER TABLE "+table+" DROP COLUMN "+schemas.QuoteIdent(c)); err != nil {
			t.Fatal(err)
		}
	}
	if err := conn.Exec(ctx, "INSERT INTO "+table+" (id, link_id, fetched_at, topic, partition, offset, version, is_deleted) VALUES ('r1', 'l1', now64(6), 't', 0, 1, 1, 0)"); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range SplitStatements(RecordTables(target)) {
		if err := conn.Exec(ctx, stmt); err != nil {
			t.Fatalf("re-applied: %s: %v", stmt, err)
		}
	}
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = ? ORDER BY position", db, r.Name)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	rows.Close()
	var want []string
	for _, c := range r.ClickHouseColumns() {
		want = append(want, c.Name)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("columns after the upgrade:\n%v\nwant\n%v", got, want)
	}
	var n uint64
	var unfit []string
	if err := conn.QueryRow(ctx, "SELECT count(), any(unfit_fields) FROM "+table).Scan(&n, &unfit); err != nil {
		t.Fatal(err)
	}
	if n != 1 || len(unfit) != 0 {
		t.Fatalf("after the upgrade: %d rows, unfit_fields %v; want the old row with none", n, unfit)
	}
}
