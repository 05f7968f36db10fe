package sink

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Migration 0005's table is the one the envelope's description generates,
// on one server and on a cluster.
func TestMigration0005CreatesTheDescribedTable(t *testing.T) {
	all, err := migrate.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, cluster := range []string{"", "prod"} {
		var text string
		for _, m := range all {
			if m.Version == 5 {
				if text, err = m.Text(migrate.Target{Database: "belvo", Cluster: cluster}); err != nil {
					t.Fatal(err)
				}
			}
		}
		want := "CREATE OR REPLACE TABLE `belvo`.`webhook_events`"
		if cluster != "" {
			want += " ON CLUSTER '" + cluster + "'"
		}
		want += "\n" + schemas.WebhookEventsTableBody(cluster) + "\nAS SELECT "
		if !strings.Contains(text, want) {
			t.Errorf("cluster %q: migration 0005 does not create\n%s", cluster, want)
		}
	}
}

// A database migrated before 0005 keeps every webhook_events row, each with
// the key schemas.EventKey gives it (so a later retry of an event loaded
// before the migration still collapses with it); the table then has the
// described columns and is keyed by event.
func TestMigration0005KeysLoadedEventsAsIngestDoes(t *testing.T) {
	base := testenv.ClickHouse(t)
	db := "test_sink_0005_" + strings.ReplaceAll(testenv.Prefix(t), "-", "_")
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + db
	conn, _, err := migrate.Open(u.String())
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	t.Cleanup(func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS `"+db+"` SYNC")
		conn.Close()
	})
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"`"); err != nil {
		t.Fatal(err)
	}
	all, err := migrate.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	// only runs one migration's statements, unrecorded.
	only := func(version int) error {
		for _, m := range all {
			if m.Version != version {
				continue
			}
			stmts, err := m.SQL(migrate.Target{Database: db})
			if err != nil {
				return err
			}
			for _, s := range stmts {
				if err := conn.Exec(ctx, s); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := only(2); err != nil {
		t.Fatal(err)
	}
	yearly := schemas.WebhookEvent{WebhookID: "same", WebhookType: "TAX_RETURNS", WebhookCode: "new_tax_returns_available",
		LinkID: "l", ProcessType: ptr("recurrent_update"), RequestID: ptr("r"), Data: `{"type":"yearly","new_tax_returns":1}`,
		ReceivedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), IngestRequestID: "i"}
	monthly := yearly
	monthly.Data = `{"type":"monthly","new_tax_returns":1}`
	for _, ev := range []schemas.WebhookEvent{yearly, monthly} {
		// The 0002 table's columns, as the sink inserted them then.
		if err := conn.Exec(ctx, "INSERT INTO `"+db+"`.webhook_events (webhook_id, webhook_type, webhook_code, process_type, link_id, request_id, external_id, data, errors_code, errors_message, extra, received_at, ingest_request_id, topic, partition, offset, version) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, [], [], NULL, ?, ?, 't', 0, 1, 1)",
			ev.WebhookID, ev.WebhookType, ev.WebhookCode, *ev.ProcessType, ev.LinkID, *ev.RequestID, ev.Data, ev.ReceivedAt, ev.IngestRequestID); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := migrate.Apply(ctx, conn, migrate.Target{Database: db}, nil); err != nil {
		t.Fatal(err)
	}
	// A second run (the migration failed before it was recorded) keeps
	// what the first copied and what was loaded since.
	if err := conn.Exec(ctx, "INSERT INTO `"+db+"`.webhook_events (webhook_id, webhook_type, webhook_code, link_id, data, received_at, ingest_request_id, origin, event_key, topic, partition, offset, version) VALUES ('s', 'ACCOUNTS', 'historical_update', 'l', '{}', now64(6), 'i', 'sweep', 's:k', 't', 0, 2, 1)"); err != nil {
		t.Fatal(err)
	}
	if err := only(5); err != nil {
		t.Fatalf("0005 again: %v", err)
	}
	keys := map[string]bool{}
	rows, err := conn.Query(ctx, "SELECT event_key, origin FROM `"+db+"`.webhook_events FINAL WHERE webhook_id != 's'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var key, origin string
		if err := rows.Scan(&key, &origin); err != nil {
			t.Fatal(err)
		}
		if origin != schemas.OriginWebhook {
			t.Errorf("copied row of origin %q", origin)
		}
		keys[key] = true
	}
	rows.Close()
	var sweep uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM `"+db+"`.webhook_events FINAL WHERE event_key = 's:k' AND origin = 'sweep'").Scan(&sweep); err != nil || sweep != 1 {
		t.Fatalf("the sweep's row after a second run: %d (%v)", sweep, err)
	}
	if len(keys) != 2 || !keys[schemas.EventKey(&yearly)] || !keys[schemas.EventKey(&monthly)] {
		t.Fatalf("keys after the migration %v, want %s and %s", keys, schemas.EventKey(&yearly), schemas.EventKey(&monthly))
	}

	var sorting string
	if err := conn.QueryRow(ctx, "SELECT sorting_key FROM system.tables WHERE database = ? AND name = 'webhook_events'", db).Scan(&sorting); err != nil {
		t.Fatal(err)
	}
	if strings.Trim(sorting, "()") != "event_key" {
		t.Errorf("webhook_events sorted by %q, want event_key", sorting)
	}
	crows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = 'webhook_events' ORDER BY position", db)
	if err != nil {
		t.Fatal(err)
	}
	defer crows.Close()
	var live []schemas.Column
	for crows.Next() {
		var c schemas.Column
		if err := crows.Scan(&c.Name, &c.Type); err != nil {
			t.Fatal(err)
		}
		live = append(live, c)
	}
	want := schemas.EnvelopeColumns()
	if len(live) != len(want) {
		t.Fatalf("columns %v, want %v", live, want)
	}
	for i, c := range want {
		if live[i].Name != c.Name || live[i].Type != c.Type {
			t.Errorf("column %d: %s %s, want %s %s", i, live[i].Name, live[i].Type, c.Name, c.Type)
		}
	}
}

func ptr(s string) *string { return &s }
