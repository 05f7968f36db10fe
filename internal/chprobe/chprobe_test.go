package chprobe

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"
	"github.com/shopspring/decimal"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// The column set mirrors what the sink writes: money as Decimal(38,10), value
// dates as Date32 (Belvo has dates before 1970), event times as
// DateTime64(6,'UTC'), optional text as Nullable(String), small enumerations
// as LowCardinality(String), and ReplacingMergeTree's version/is_deleted pair.
const createTable = `CREATE TABLE %s (
	id          UInt64,
	version     UInt64,
	is_deleted  UInt8,
	amount      Decimal(38, 10),
	value_date  Date32,
	booked_at   DateTime64(6, 'UTC'),
	description Nullable(String),
	currency    LowCardinality(String),
	settled     Bool
) ENGINE = ReplacingMergeTree(version, is_deleted)
ORDER BY id
SETTINGS non_replicated_deduplication_window = 1000`

// Deduplication of a non-replicated MergeTree only happens with
// non_replicated_deduplication_window > 0; the sink's tables set it, so does
// createTable.

const insertColumns = "INSERT INTO %s (id, version, is_deleted, amount, value_date, booked_at, description, currency, settled)"

type row struct {
	id          uint64
	version     uint64
	isDeleted   uint8
	amount      decimal.Decimal
	valueDate   time.Time
	bookedAt    time.Time
	description *string
	currency    string
	settled     bool
}

// Values at the edges of each type, where a lossy path (float conversion,
// local time zones, epoch-based dates) would show.
var edgeAmounts = []string{
	"9999999999999999999999999999.9999999999",
	"-9999999999999999999999999999.9999999999",
	"0.0000000001",
	"-0.0000000001",
	"0.0000000000",
	"1234.5600000000",
	"-0.1000000000",
}

var edgeDates = []time.Time{
	time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2299, 12, 31, 0, 0, 0, 0, time.UTC),
	time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC),
	time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC),
	time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC),
}

var currencies = []string{"MXN", "BRL", "COP", "USD"}

func makeRow(i int, version uint64) row {
	r := row{
		id:        uint64(i),
		version:   version,
		amount:    decimal.RequireFromString(fmt.Sprintf("%d.%010d", i*7919, (i*104729)%10_000_000_000)),
		valueDate: time.Date(1950, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i*3),
		bookedAt:  time.Date(2024, 3, 15, 10, 30, 0, 0, time.UTC).Add(time.Duration(i)*time.Second + time.Duration(i%1_000_000)*time.Microsecond),
		currency:  currencies[i%len(currencies)],
		settled:   i%3 == 0,
	}
	if i%2 == 1 {
		r.amount = r.amount.Neg()
	}
	if i < len(edgeAmounts) {
		r.amount = decimal.RequireFromString(edgeAmounts[i])
	}
	if i < len(edgeDates) {
		r.valueDate = edgeDates[i]
	}
	if i%5 != 0 {
		d := fmt.Sprintf("SPEI transfer #%d — pago ñandú", i)
		r.description = &d
	}
	return r
}

func makeRows(n int, version uint64) []row {
	rows := make([]row, n)
	for i := range rows {
		rows[i] = makeRow(i, version)
	}
	return rows
}

func open(tb testing.TB) driver.Conn {
	tb.Helper()
	dsn := testenv.ClickHouse(tb)
	opts, err := clickhouse.ParseDSN(dsn)
	if err != nil {
		tb.Fatalf("parse CLICKHOUSE_DSN: %v", err)
	}
	conn, err := clickhouse.Open(opts)
	if err != nil {
		tb.Fatalf("open %s: %v", dsn, err)
	}
	tb.Cleanup(func() { _ = conn.Close() })
	return conn
}

var tableSeq atomic.Int64

// newTable creates a table unique to the test, so parallel or repeated runs
// never share rows or deduplication windows, and drops it afterwards.
func newTable(tb testing.TB, conn driver.Conn) string {
	tb.Helper()
	name := fmt.Sprintf("chprobe_%s_%d_%d",
		strings.ToLower(regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(tb.Name(), "_")),
		time.Now().UnixNano(), tableSeq.Add(1))
	ctx := context.Background()
	if err := conn.Exec(ctx, fmt.Sprintf(createTable, name)); err != nil {
		tb.Fatalf("create table: %v", err)
	}
	tb.Cleanup(func() {
		if err := conn.Exec(context.Background(), "DROP TABLE IF EXISTS "+name+" SYNC"); err != nil {
			tb.Errorf("drop table %s: %v", name, err)
		}
	})
	return name
}

func insert(ctx context.Context, conn driver.Conn, table string, rows []row) error {
	batch, err := conn.PrepareBatch(ctx, fmt.Sprintf(insertColumns, table))
	if err != nil {
		return fmt.Errorf("prepare batch: %w", err)
	}
	for _, r := range rows {
		if err := batch.Append(r.id, r.version, r.isDeleted, r.amount, r.valueDate, r.bookedAt, r.description, r.currency, r.settled); err != nil {
			_ = batch.Abort()
			return fmt.Errorf("append row %d: %w", r.id, err)
		}
	}
	if err := batch.Send(); err != nil {
		return fmt.Errorf("send: %w", err)
	}
	return nil
}

func withToken(ctx context.Context, token string) context.Context {
	return clickhouse.Context(ctx, clickhouse.WithSettings(clickhouse.Settings{"insert_deduplication_token": token}))
}

func count(tb testing.TB, conn driver.Conn, query string) uint64 {
	tb.Helper()
	var n uint64
	if err := conn.QueryRow(context.Background(), query).Scan(&n); err != nil {
		tb.Fatalf("%s: %v", query, err)
	}
	return n
}

// Ping and the server hello (which clickhouse-go runs on connect over HTTP)
// work, so the client can talk to the server at all.
func TestPingAndServerVersion(t *testing.T) {
	conn := open(t)
	if err := conn.Ping(context.Background()); err != nil {
		t.Fatalf("ping: %v", err)
	}
	v, err := conn.ServerVersion()
	if err != nil {
		t.Fatalf("server version: %v", err)
	}
	if v.Version.Major < 24 {
		t.Fatalf("engine %s is too old for LowCardinality/DateTime64/is_deleted/insert_deduplication_token", v.Version)
	}
	t.Logf("engine %s (revision %d, %s)", v.Version, v.Revision, v.Timezone)
}

// A 10,000-row batch sent with PrepareBatch/Append/Send comes back value for
// value: decimals to the 10th digit at the full 38-digit precision, Date32
// outside the 1970..2149 range of Date, microseconds of DateTime64, NULL
// versus empty text, LowCardinality and Bool.
func TestBatchInsertRoundTripsExactValues(t *testing.T) {
	conn := open(t)
	table := newTable(t, conn)
	ctx := context.Background()
	want := makeRows(10_000, 1)
	if err := insert(ctx, conn, table, want); err != nil {
		t.Fatal(err)
	}

	rows, err := conn.Query(ctx, "SELECT id, version, is_deleted, amount, value_date, booked_at, description, currency, settled FROM "+table+" ORDER BY id")
	if err != nil {
		t.Fatalf("select: %v", err)
	}
	defer rows.Close()
	got := 0
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.version, &r.isDeleted, &r.amount, &r.valueDate, &r.bookedAt, &r.description, &r.currency, &r.settled); err != nil {
			t.Fatalf("scan: %v", err)
		}
		if r.id >= uint64(len(want)) {
			t.Fatalf("unexpected id %d", r.id)
		}
		w := want[r.id]
		if r.amount.StringFixed(10) != w.amount.StringFixed(10) {
			t.Errorf("id %d amount: got %s want %s", r.id, r.amount.StringFixed(10), w.amount.StringFixed(10))
		}
		if r.valueDate.Format(time.DateOnly) != w.valueDate.Format(time.DateOnly) {
			t.Errorf("id %d value_date: got %s want %s", r.id, r.valueDate.Format(time.DateOnly), w.valueDate.Format(time.DateOnly))
		}
		if !r.bookedAt.Equal(w.bookedAt) || r.bookedAt.Location().String() != "UTC" {
			t.Errorf("id %d booked_at: got %s want %s", r.id, r.bookedAt.Format(time.RFC3339Nano), w.bookedAt.Format(time.RFC3339Nano))
		}
		if (r.description == nil) != (w.description == nil) || (r.description != nil && *r.description != *w.description) {
			t.Errorf("id %d description: got %v want %v", r.id, deref(r.description), deref(w.description))
		}
		if r.version != w.version || r.isDeleted != w.isDeleted || r.currency != w.currency || r.settled != w.settled {
			t.Errorf("id %d: got %+v want %+v", r.id, r, w)
		}
		got++
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("rows: %v", err)
	}
	if got != len(want) {
		t.Fatalf("read %d rows, want %d", got, len(want))
	}

	// The engine's own view of the extremes, independent of the client's decoding.
	var maxAmount, minDate string
	if err := conn.QueryRow(ctx, "SELECT toString(max(amount)), toString(min(value_date)) FROM "+table).Scan(&maxAmount, &minDate); err != nil {
		t.Fatal(err)
	}
	if maxAmount != "9999999999999999999999999999.9999999999" || minDate != "1900-01-01" {
		t.Fatalf("engine sees max(amount)=%s min(value_date)=%s", maxAmount, minDate)
	}
}

func deref(s *string) string {
	if s == nil {
		return "<NULL>"
	}
	return fmt.Sprintf("%q", *s)
}

// A batch retried with the same insert_deduplication_token is stored once,
// which is what makes the sink's at-least-once Kafka consumption exactly-once
// in the table; a different token stores a second copy even of identical rows
// (which content-hash deduplication alone would have dropped).
func TestSameDeduplicationTokenStoresOneCopy(t *testing.T) {
	conn := open(t)
	table := newTable(t, conn)
	ctx := context.Background()
	rows := makeRows(10_000, 1)
	physical := "SELECT count() FROM " + table // no FINAL: count stored rows, not collapsed ones

	for attempt := 1; attempt <= 2; attempt++ {
		if err := insert(withToken(ctx, "belvo-partition-0-offsets-0-9999"), conn, table, rows); err != nil {
			t.Fatalf("attempt %d: %v", attempt, err)
		}
		if n := count(t, conn, physical); n != uint64(len(rows)) {
			t.Fatalf("after attempt %d with the same token: %d rows stored, want %d", attempt, n, len(rows))
		}
	}

	// The token, not the content, identifies the batch: a retry whose rows were
	// re-read and differ (here: newer versions) is still the same batch.
	if err := insert(withToken(ctx, "belvo-partition-0-offsets-0-9999"), conn, table, makeRows(10_000, 2)); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, physical); n != uint64(len(rows)) {
		t.Fatalf("after a retry with the same token and other rows: %d rows stored, want %d", n, len(rows))
	}

	if err := insert(withToken(ctx, "belvo-partition-0-offsets-10000-19999"), conn, table, rows); err != nil {
		t.Fatal(err)
	}
	if n := count(t, conn, physical); n != uint64(2*len(rows)) {
		t.Fatalf("after a different token: %d rows stored, want %d", n, 2*len(rows))
	}
}

// SELECT ... FINAL returns only the highest version of each id and drops ids
// whose highest version has is_deleted = 1, even while the versions still sit
// in separate parts.
func TestFinalCollapsesVersionsAndHidesDeletedRows(t *testing.T) {
	conn := open(t)
	table := newTable(t, conn)
	ctx := context.Background()
	// Without this a background merge could collapse the parts before the
	// non-FINAL read, and the test would no longer show what FINAL does.
	if err := conn.Exec(ctx, "SYSTEM STOP MERGES "+table); err != nil {
		t.Fatalf("stop merges: %v", err)
	}

	v1 := makeRows(3, 1)
	v2 := makeRows(3, 2)
	v2[0].description = ptr("corrected by v2")
	v2[1].isDeleted = 1
	v0 := makeRows(3, 0) // an older version arriving late must lose
	v0[2].description = ptr("stale")
	for i, batch := range [][]row{v1, v2[:2], v0[2:]} {
		if err := insert(ctx, conn, table, batch); err != nil {
			t.Fatalf("batch %d: %v", i, err)
		}
	}
	if n := count(t, conn, "SELECT count() FROM "+table); n != 6 {
		t.Fatalf("without FINAL: %d rows, want all 6 versions", n)
	}

	rows, err := conn.Query(ctx, "SELECT id, version, description FROM "+table+" FINAL ORDER BY id")
	if err != nil {
		t.Fatalf("select final: %v", err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var (
			id, version uint64
			desc        *string
		)
		if err := rows.Scan(&id, &version, &desc); err != nil {
			t.Fatal(err)
		}
		got = append(got, fmt.Sprintf("%d@v%d:%s", id, version, deref(desc)))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`0@v2:"corrected by v2"`,
		fmt.Sprintf("2@v1:%s", deref(v1[2].description)),
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("FINAL returned %v, want %v", got, want)
	}
}

func ptr(s string) *string { return &s }

// A statement the engine rejects returns an error carrying the engine's code
// and message, for queries and for batch inserts alike, so the sink can log
// and classify failures.
func TestEngineErrorsReachTheClient(t *testing.T) {
	conn := open(t)
	ctx := context.Background()

	err := conn.Exec(ctx, "SELECT * FROM chprobe_no_such_table")
	var ex *clickhouse.Exception
	if !errors.As(err, &ex) || ex.Code != 60 || !strings.Contains(err.Error(), "chprobe_no_such_table") {
		t.Fatalf("unknown table: got %v, want exception code 60 naming the table", err)
	}

	_, err = conn.Query(ctx, "SELEC 1")
	if !errors.As(err, &ex) || ex.Code != 62 || !strings.Contains(err.Error(), "Syntax error") {
		t.Fatalf("syntax error: got %v, want exception code 62 with the parser's message", err)
	}

	// The engine, not the client, rejects this insert: the table has a CHECK
	// constraint the client knows nothing about.
	table := newTable(t, conn)
	if err := conn.Exec(ctx, "ALTER TABLE "+table+" ADD CONSTRAINT positive_id CHECK id > 0"); err != nil {
		t.Fatal(err)
	}
	err = insert(ctx, conn, table, makeRows(2, 1)) // row 0 violates the constraint
	if !errors.As(err, &ex) || !strings.Contains(err.Error(), "positive_id") {
		t.Fatalf("constraint violation: got %v, want the engine's exception naming the constraint", err)
	}
	if n := count(t, conn, "SELECT count() FROM "+table); n != 0 {
		t.Fatalf("a rejected batch left %d rows", n)
	}
}

// BenchmarkInsert measures batch inserts of 100,000 rows, the size the sink
// flushes at, end to end: Append, Native encoding, HTTP and the engine's write.
func BenchmarkInsert(b *testing.B) {
	conn := open(b)
	table := newTable(b, conn)
	const batchRows = 100_000
	rows := makeRows(batchRows, 1)
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		// Distinct tokens: identical batches would otherwise be deduplicated by content hash.
		if err := insert(withToken(ctx, fmt.Sprintf("bench-%d", i)), conn, table, rows); err != nil {
			b.Fatal(err)
		}
	}
	elapsed := time.Since(start)
	b.StopTimer()
	b.ReportMetric(float64(b.N*batchRows)/elapsed.Seconds(), "rows/s")
}
