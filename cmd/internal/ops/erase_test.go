package ops

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// scratchDB migrates a database of the test's own on the real engine and
// returns its DSN and a connection; it is dropped when the test ends.
func scratchDB(t *testing.T, name string) (string, clickhouse.Conn, string) {
	t.Helper()
	base := testenv.ClickHouse(t)
	db := name + "_" + strings.TrimPrefix(testenv.Prefix(t), "test")
	dsn := base[:strings.LastIndex(base, "/")+1] + db
	conn, _, err := migrate.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := migrate.Apply(ctx, conn, migrate.Target{Database: db}, nil); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schemas.QuoteIdent(db))
		conn.Close()
	})
	return dsn, conn, db
}

// row is one physical row of a record table, its lineage included.
type row struct {
	table, id, link, raw, webhook string
	request                       *string
	deleted                       uint8
	fetched                       time.Time
	offset                        int64
}

func insertRows(t *testing.T, ctx context.Context, conn clickhouse.Conn, db string, rows ...row) {
	t.Helper()
	for _, r := range rows {
		err := conn.Exec(ctx, "INSERT INTO "+qualified(db, r.table)+
			" (`id`, `link_id`, `raw`, `webhook_id`, `request_id`, `fetched_at`, `topic`, `partition`, `offset`, `version`, `is_deleted`) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?)",
			r.id, r.link, r.raw, r.webhook, r.request, r.fetched, schemas.ClickHouseDatabase+".records."+r.table, r.offset, uint64(r.fetched.UnixMicro()), r.deleted)
		if err != nil {
			t.Fatal(err)
		}
	}
}

func insertWebhook(t *testing.T, ctx context.Context, conn clickhouse.Conn, db, id, typ, code, link, origin string, received time.Time) {
	t.Helper()
	err := conn.Exec(ctx, "INSERT INTO "+qualified(db, webhookEventsTable)+
		" (`webhook_id`, `event_key`, `webhook_type`, `webhook_code`, `link_id`, `data`, `errors_code`, `errors_message`, `received_at`, `ingest_request_id`, `origin`, `topic`, `partition`, `offset`, `version`)"+
		" VALUES (?, ?, ?, ?, ?, '{}', [], [], ?, 'ingest-1', ?, 'belvo.webhooks.x', 0, 0, 1)",
		id, id+":"+received.Format(time.RFC3339Nano), typ, code, link, received, origin)
	if err != nil {
		t.Fatal(err)
	}
}

func countWhere(t *testing.T, ctx context.Context, conn clickhouse.Conn, q string, args ...any) uint64 {
	t.Helper()
	var n uint64
	if err := conn.QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// Erase removes every row holding a link's data from every table on the
// real engine, leaves other links alone, keeps the link hidden from a
// record fetched before the erasure and loaded after it, records the
// erasure, and can run again.
func TestEraseRemovesALinkFromEveryTable(t *testing.T) {
	dsn, conn, db := scratchDB(t, "erase")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	fetched := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	insertRows(t, ctx, conn, db,
		row{table: "transactions", id: "t1", link: "L", raw: `{"id":"t1","description":"PIX JOAO"}`, webhook: "w1", fetched: fetched, offset: 1},
		row{table: "transactions", id: "t1", link: "L", raw: `{"id":"t1","description":"PIX JOAO SILVA"}`, webhook: "w2", fetched: fetched.Add(time.Hour), offset: 2},
		row{table: "transactions", id: "t2", link: "L", raw: `{"id":"t2"}`, webhook: "w3", deleted: 1, fetched: fetched, offset: 3},
		row{table: "transactions", id: "t3", link: "M", raw: `{"id":"t3"}`, webhook: "w4", fetched: fetched, offset: 4},
		row{table: "owners", id: "o1", link: "L", raw: `{"id":"o1","email":"joao@example.com"}`, webhook: "w5", fetched: fetched, offset: 1},
		row{table: "link_events", id: "w6", link: "L", raw: `{"webhook_id":"w6"}`, webhook: "w6", fetched: fetched, offset: 1},
	)
	insertWebhook(t, ctx, conn, db, "w1", "TRANSACTIONS", "historical_update", "L", schemas.OriginWebhook, fetched)
	insertWebhook(t, ctx, conn, db, "w4", "TRANSACTIONS", "historical_update", "M", schemas.OriginWebhook, fetched)

	// A merge drops replaced versions at a moment of the engine's choosing
	// (merges cannot be stopped: the erasure's DELETE runs as one): one
	// now makes the rows counted below the same on every run.
	if err := conn.Exec(ctx, "OPTIMIZE TABLE "+qualified(db, "transactions")+" FINAL"); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e, err := Erase(ctx, EraseConfig{DSN: dsn, Link: "L", Reason: "ticket 42"}, testenv.Logger(t, 50), &out)
	if err != nil {
		t.Fatal(err)
	}
	// t1's latest version, the deletion record t2 with its raw, o1, the
	// fact, the audit row.
	if e.Rows != 5 || e.Tables["transactions"] != 2 || e.Tables[webhookEventsTable] != 1 {
		t.Errorf("erased %d rows %v, want 5: 2 transactions, 1 owner, 1 link event, 1 webhook event", e.Rows, e.Tables)
	}
	if !strings.Contains(out.String(), "erased link L: 5 rows") {
		t.Errorf("output %q", out.String())
	}
	for _, r := range schemas.Tables() {
		tbl := qualified(db, r.Name)
		if n := countWhere(t, ctx, conn, "SELECT count() FROM "+tbl+" FINAL WHERE `link_id` = 'L'"); n != 0 {
			t.Errorf("%s FINAL still shows %d rows of L", r.Name, n)
		}
		if n := countWhere(t, ctx, conn, "SELECT count() FROM "+tbl+" WHERE `link_id` = 'L' AND (`is_deleted` = 0 OR `raw` != '')"); n != 0 {
			t.Errorf("%s still stores %d rows with L's data", r.Name, n)
		}
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, webhookEventsTable)+" WHERE `link_id` = 'L'"); n != 0 {
		t.Errorf("webhook_events still holds %d events of L", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, "transactions")+" FINAL WHERE `link_id` = 'M'"); n != 1 {
		t.Errorf("M's transaction: %d rows under FINAL, want 1", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, webhookEventsTable)+" WHERE `link_id` = 'M'"); n != 1 {
		t.Errorf("M's webhook event: %d rows, want 1", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, "transactions")+" WHERE `link_id` = 'L' AND `is_deleted` = 1 AND `webhook_id` = ?", e.ID); n != 1 {
		t.Errorf("%d deletion rows of t1 carry the erasure's id, want 1", n)
	}

	// A record of L fetched before the erasure and loaded after it (still
	// in Kafka, or replayed) stays hidden.
	insertRows(t, ctx, conn, db, row{table: "transactions", id: "t1", link: "L", raw: `{"id":"t1"}`, webhook: "w2", fetched: fetched.Add(2 * time.Hour), offset: 5})
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, "transactions")+" FINAL WHERE `link_id` = 'L'"); n != 0 {
		t.Errorf("a late record of L shows under FINAL: %d rows", n)
	}

	var (
		reason    string
		completed *time.Time
		rows      uint64
		tables    []string
	)
	if err := conn.QueryRow(ctx, "SELECT `reason`, `completed_at`, `rows_erased`, `tables` FROM "+qualified(db, migrate.ErasuresTable)+
		" FINAL WHERE `link_id` = 'L' AND `erasure_id` = ?", e.ID).Scan(&reason, &completed, &rows, &tables); err != nil {
		t.Fatal(err)
	}
	if reason != "ticket 42" || completed == nil || rows != 5 || strings.Join(tables, ",") != "owners,transactions,link_events,webhook_events" {
		t.Errorf("erasure recorded as reason %q completed %v rows %d tables %v", reason, completed, rows, tables)
	}

	// What a replay does after loading: the late record is erased (unless a
	// merge dropped it already, its version being below the deletion
	// row's), and the webhook event it brought back too, with nothing new
	// recorded; M stays.
	insertWebhook(t, ctx, conn, db, "w1", "TRANSACTIONS", "historical_update", "L", schemas.OriginWebhook, fetched)
	txs, _ := schemas.TableByName("transactions")
	if n, err := reapplyErasures(ctx, conn, db, []schemas.Resource{txs}, true); err != nil || n > 2 {
		t.Errorf("reapplying the erasures: %d rows, %v; want the late record and its webhook at most", n, err)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, "transactions")+" WHERE `link_id` = 'L' AND (`is_deleted` = 0 OR `raw` != '')"); n != 0 {
		t.Errorf("the late record of L is still stored: %d rows", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, webhookEventsTable)+" WHERE `link_id` = 'L'"); n != 0 {
		t.Errorf("the replayed webhook event of L is still stored: %d rows", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, "transactions")+" FINAL WHERE `link_id` = 'M'"); n != 1 {
		t.Errorf("M's transaction after reapplying erasures: %d rows, want 1", n)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, migrate.ErasuresTable)+" FINAL WHERE `link_id` = 'L'"); n != 1 {
		t.Errorf("%d erasures of L recorded after reapplying, want 1", n)
	}

	// Again: nothing is left, and the erasure is recorded all the same.
	again, err := Erase(ctx, EraseConfig{DSN: dsn, Link: "L"}, testenv.Logger(t, 50), &out)
	if err != nil {
		t.Fatal(err)
	}
	if again.Rows != 0 {
		t.Errorf("second erasure found %d rows, want none", again.Rows)
	}
	if n := countWhere(t, ctx, conn, "SELECT count() FROM "+qualified(db, migrate.ErasuresTable)+" FINAL WHERE `link_id` = 'L'"); n != 2 {
		t.Errorf("%d erasures of L recorded, want 2", n)
	}
}

func TestEraseWantsALink(t *testing.T) {
	_, err := Erase(context.Background(), EraseConfig{DSN: migrate.DefaultDSN}, testenv.Logger(t, 10), &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "--link") {
		t.Fatalf("Erase without a link: %v", err)
	}
}

// The lineage view shows, for any row, the event that caused it (its
// origin too), the Belvo request it answered with the requests fact's
// kind and send time, and when the row was fetched and loaded; a row no
// event explains shows NULLs rather than empty values.
func TestLineageView(t *testing.T) {
	_, conn, db := scratchDB(t, "lineage")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	fetched := time.Date(2026, 11, 20, 10, 0, 0, 0, time.UTC)
	req := "0123456789abcdef0123456789abcdef"
	insertRows(t, ctx, conn, db,
		row{table: "transactions", id: "t1", link: "L", raw: `{}`, webhook: "backfill-x-1", request: &req, fetched: fetched, offset: 7},
		row{table: "accounts", id: "a1", link: "L", raw: `{}`, fetched: fetched, offset: 1},
	)
	insertWebhook(t, ctx, conn, db, "backfill-x-1", "TRANSACTIONS", "historical_update", "L", schemas.OriginBackfill, fetched.Add(-time.Minute))
	insertWebhook(t, ctx, conn, db, "backfill-x-1", "TRANSACTIONS", "historical_update", "L", schemas.OriginBackfill, fetched.Add(-30*time.Second))
	sent := fetched.Add(-time.Hour)
	if err := conn.Exec(ctx, "INSERT INTO "+qualified(db, "requests")+
		" (`id`, `link_id`, `belvo_request_id`, `kind`, `sent_at`, `raw`, `fetched_at`, `topic`, `partition`, `offset`, `version`, `is_deleted`) VALUES (?, 'L', ?, 'refresh', ?, '{}', ?, 't', 0, 0, 1, 0)",
		req, req, sent, sent); err != nil {
		t.Fatal(err)
	}
	var (
		origin, typ, code, kind, request *string
		received, sentAt                 *time.Time
		fetchedAt, loadedAt              time.Time
		offset                           int64
	)
	q := "SELECT `origin`, `webhook_type`, `webhook_code`, `received_at`, `belvo_request_id`, `request_kind`, `request_sent_at`, `fetched_at`, `loaded_at`, `offset` FROM " +
		qualified(db, "lineage") + " WHERE `table` = ? AND `id` = ?"
	if err := conn.QueryRow(ctx, q, "transactions", "t1").Scan(&origin, &typ, &code, &received, &request, &kind, &sentAt, &fetchedAt, &loadedAt, &offset); err != nil {
		t.Fatal(err)
	}
	switch {
	case origin == nil || *origin != schemas.OriginBackfill, typ == nil || *typ != "TRANSACTIONS", code == nil || *code != "historical_update":
		t.Errorf("event: origin %v type %v code %v", deref(origin), deref(typ), deref(code))
	case received == nil || !received.Equal(fetched.Add(-time.Minute)):
		t.Errorf("received_at %v, want the first receipt %v", received, fetched.Add(-time.Minute))
	case request == nil || *request != req || kind == nil || *kind != "refresh" || sentAt == nil || !sentAt.Equal(sent):
		t.Errorf("request %v kind %v sent %v", deref(request), deref(kind), sentAt)
	case !fetchedAt.Equal(fetched) || loadedAt.Before(fetched) || offset != 7:
		t.Errorf("fetched %v loaded %v offset %d", fetchedAt, loadedAt, offset)
	}
	if err := conn.QueryRow(ctx, q, "accounts", "a1").Scan(&origin, &typ, &code, &received, &request, &kind, &sentAt, &fetchedAt, &loadedAt, &offset); err != nil {
		t.Fatal(err)
	}
	if origin != nil || typ != nil || received != nil || request != nil || kind != nil || sentAt != nil {
		t.Errorf("a row without event or request: origin %v type %v received %v request %v kind %v sent %v",
			deref(origin), deref(typ), received, deref(request), deref(kind), sentAt)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}
