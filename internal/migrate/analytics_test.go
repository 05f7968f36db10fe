package migrate

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// analyticsDatabase is a fresh database with the record tables, their child
// views (0001) and the analytics views (0007): only what the views need,
// so the test does not depend on the other migrations.
func analyticsDatabase(t *testing.T) (clickhouse.Conn, string) {
	t.Helper()
	conn, db := testDatabase(t)
	ctx := context.Background()
	if err := conn.Exec(ctx, "CREATE DATABASE IF NOT EXISTS `"+db+"`"); err != nil {
		t.Fatal(err)
	}
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	applied := 0
	for _, m := range all {
		if m.Version != 1 && m.Version != 7 {
			continue
		}
		stmts, err := m.SQL(Target{Database: db})
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range stmts {
			if err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("migration %04d statement %d: %v", m.Version, i+1, err)
			}
		}
		applied++
	}
	if applied != 2 {
		t.Fatalf("applied %d of migrations 0001 and 0007", applied)
	}
	return conn, db
}

// row is one physical row of a record table: version orders the fetches of
// a record, deleted makes it a deletion.
type row struct {
	id, link string
	version  int
	deleted  bool
	fields   map[string]any // typed columns; a string is quoted, a num is written as is
	raw      string
}

type num string

func literal(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case num:
		return string(v)
	case string:
		return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
	}
	panic(fmt.Sprintf("literal %T", v))
}

func insertRows(t *testing.T, conn clickhouse.Conn, db, table string, rows ...row) {
	t.Helper()
	for _, r := range rows {
		cols := []string{"id", "link_id", "raw", "fetched_at", "topic", "partition", "offset", "version", "is_deleted"}
		deleted := 0
		if r.deleted {
			deleted = 1
		}
		vals := []string{literal(r.id), literal(r.link), literal(r.raw), "now64(6)", "'test'", "0", fmt.Sprint(r.version), fmt.Sprint(r.version), fmt.Sprint(deleted)}
		names := make([]string, 0, len(r.fields))
		for k := range r.fields {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			cols = append(cols, "`"+k+"`")
			vals = append(vals, literal(r.fields[k]))
		}
		q := fmt.Sprintf("INSERT INTO `%s`.`%s` (%s) VALUES (%s)", db, table, strings.Join(cols, ", "), strings.Join(vals, ", "))
		if err := conn.Exec(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

// query returns every row of q as text, tab-separated, in the query's order;
// NULL reads as an empty string.
// answer is a query and the rows it must return, each row's columns joined by tabs.
type answer struct {
	name, q string
	want    []string
}

// assertAnswers runs each query on db and compares its rows.
func assertAnswers(t *testing.T, conn clickhouse.Conn, db string, answers []answer) {
	t.Helper()
	for _, a := range answers {
		if got := query(t, conn, db, a.q); !reflect.DeepEqual(got, a.want) {
			t.Errorf("%s:\n got %q\nwant %q", a.name, got, a.want)
		}
	}
}

func query(t *testing.T, conn clickhouse.Conn, db, q string) []string {
	t.Helper()
	q = strings.ReplaceAll(q, "belvo.", "`"+db+"`.")
	rows, err := conn.Query(context.Background(), "SELECT arrayStringConcat(arrayMap(x -> toString(x), [*]), '\t') FROM ("+q+")")
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// The analytics queries of docs/analytics.md, as written there.
const (
	qMonthlySpend = `SELECT link_id, month, currency, category, transactions, spent
FROM belvo.monthly_spend_by_category
ORDER BY link_id, month, category`
	qIncomeExpenses = `SELECT link_id, month, currency, income, expenses, net
FROM belvo.monthly_income_expenses
ORDER BY link_id, month`
	qBillTransactions = `SELECT bill_id, bill_name, transaction_id, amount
FROM belvo.credit_card_bill_transactions
ORDER BY bill_id, transaction_id`
	qBills = `SELECT bill_id, total_amount, transactions, charged, credited
FROM belvo.credit_card_bills
ORDER BY bill_id`
	qOverdue = `SELECT bill_id, days_overdue, total_amount, paid, outstanding, minimum_paid
FROM belvo.overdue_bills
ORDER BY days_overdue DESC`
	qInvoiceLines = `SELECT invoice_id, direction, line, description, quantity, total_amount
FROM belvo.invoice_lines
ORDER BY invoice_id, line`
	qIssuedReceived = `SELECT link_id, month, issued, issued_amount, issued_lines, received, received_amount, received_lines
FROM belvo.invoices_issued_received
ORDER BY link_id, month`
	qTaxStanding = `SELECT link_id, rfc, status_padron, regimes, obligations, compliance_outcome, in_good_standing
FROM belvo.tax_standing
ORDER BY link_id`
	qRequestRecords = `SELECT belvo_request_id, kind, requested_resource, date_from, date_to, table, record_id
FROM belvo.request_records
WHERE link_id = 'link-mx-1'
ORDER BY belvo_request_id, table, record_id`
	qRequestTotals = `SELECT belvo_request_id, kind, requested_resource, records, webhooks, tables
FROM belvo.request_totals
WHERE link_id = 'link-mx-1'
ORDER BY sent_at`
	qLineage = `SELECT table, id, version, webhook_id, origin, webhook_code, belvo_request_id, request_kind
FROM belvo.lineage
WHERE link_id = 'link-mx-1' AND table IN ('invoices', 'transactions')
ORDER BY table, id, version`
)

// docQueries are the queries above: docs/analytics.md shows each of them,
// character for character, in a sql block, with the rows the tests assert.
var docQueries = []string{qMonthlySpend, qIncomeExpenses, qBillTransactions, qBills, qOverdue, qInvoiceLines, qIssuedReceived, qTaxStanding,
	qRequestRecords, qRequestTotals, qLineage}

// The queries the tests run are the ones the analysts' doc shows: an edit
// of one without the other fails here, without any service.
func TestAnalyticsDocShowsTheTestedQueries(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join(testenv.Root(t), "docs", "analytics.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range docQueries {
		if !strings.Contains(string(doc), "```sql\n"+q+"\n```") {
			t.Errorf("docs/analytics.md has no sql block of\n%s", q)
		}
	}
}

func TestAnalyticsViewsAnswerWithKnownData(t *testing.T) {
	conn, db := analyticsDatabase(t)
	const l1, l2 = "link-mx-1", "link-mx-2"
	tx := func(typ, amount, day, category string) map[string]any {
		return map[string]any{"type": typ, "amount": num(amount), "value_date": day, "currency": "MXN", "category": category}
	}
	with := func(m map[string]any, k string, v any) map[string]any { m[k] = v; return m }
	insertRows(t, conn, db, "transactions",
		row{id: "t1", link: l1, version: 1, fields: tx("INFLOW", "1000", "2026-10-05", "Income & Payments")},
		row{id: "t2", link: l1, version: 1, fields: tx("OUTFLOW", "200", "2026-10-06", "Food & Groceries")},
		// Re-fetched with a corrected amount: only the latest fetch counts.
		row{id: "t2", link: l1, version: 2, fields: tx("OUTFLOW", "250", "2026-10-06", "Food & Groceries")},
		row{id: "t3", link: l1, version: 1, fields: tx("OUTFLOW", "50.5", "2026-10-20", "Food & Groceries")},
		row{id: "t4", link: l1, version: 1, fields: tx("OUTFLOW", "300", "2026-11-02", "Transport & Travel")},
		// Deleted by transactions_deleted: counts nowhere.
		row{id: "t5", link: l1, version: 1, fields: tx("OUTFLOW", "999", "2026-10-07", "Food & Groceries")},
		row{id: "t5", link: l1, version: 2, deleted: true},
		// Credit-card purchases: one names its bill by Belvo id, one by the
		// institution's identification of the bill.
		row{id: "t6", link: l1, version: 1, fields: with(tx("OUTFLOW", "120", "2026-11-03", "Shopping"), "credit_card_bill_id", "bill-1")},
		row{id: "t7", link: l1, version: 1, fields: with(tx("OUTFLOW", "80", "2026-11-04", "Shopping"), "bill_internal_identification", "INT-B1")},
		row{id: "t8", link: l1, version: 1, fields: with(tx("INFLOW", "20", "2026-11-05", "Shopping"), "credit_card_bill_id", "bill-1")},
		row{id: "u1", link: l2, version: 1, fields: tx("OUTFLOW", "10", "2026-11-01", "")},
	)
	today := time.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	bill := func(total, minimum string, due int) map[string]any {
		return map[string]any{"bill_name": "bill", "due_date": day(due), "total_amount": num(total), "minimum_amount": num(minimum), "currency": "MXN", "internal_identification": nil}
	}
	b1 := bill("200", "20", -5)
	b1["internal_identification"] = "INT-B1"
	insertRows(t, conn, db, "bills",
		row{id: "bill-1", link: l1, version: 1, fields: b1, raw: `{"id":"bill-1","payments":[{"type":"PAYMENT","amount":50,"currency":"MXN"}]}`},
		row{id: "bill-2", link: l1, version: 1, fields: bill("100", "10", -3), raw: `{"id":"bill-2","payments":[{"amount":60},{"amount":40}]}`},
		row{id: "bill-3", link: l1, version: 1, fields: bill("500", "50", 10), raw: `{"id":"bill-3","payments":[]}`},
		row{id: "bill-4", link: l1, version: 1, fields: bill("70", "10", -40), raw: `{"id":"bill-4","payments":null}`},
	)
	line := func(desc string, qty, total string) string {
		return `{"description":"` + desc + `","quantity":` + qty + `,"unit_amount":1,"total_amount":` + total + `}`
	}
	inv := func(typ, status, day, total string) map[string]any {
		return map[string]any{"type": typ, "status": status, "invoice_date": day, "total_amount": num(total), "currency": "MXN", "sender_id": "AAA010101AAA", "receiver_id": "BBB010101BBB"}
	}
	insertRows(t, conn, db, "invoices",
		row{id: "inv-1", link: l1, version: 1, fields: inv("OUTFLOW", "VIGENTE", "2026-10-10", "1160"),
			raw: `{"invoice_details":[` + line("Consultoría", "1", "1000") + `,` + line("Viáticos", "2", "160") + `]}`},
		row{id: "inv-2", link: l1, version: 1, fields: inv("INFLOW", "VIGENTE", "2026-10-15", "580"),
			raw: `{"invoice_details":[` + line("Papelería", "10", "580") + `]}`},
		row{id: "inv-3", link: l1, version: 1, fields: inv("OUTFLOW", "CANCELADO", "2026-10-20", "999"),
			raw: `{"invoice_details":[` + line("Cancelado", "1", "999") + `]}`},
		row{id: "inv-4", link: l1, version: 1, fields: inv("OUTFLOW", "VIGENTE", "2026-11-01", "100"),
			raw: `{"invoice_details":[` + line("Servicio", "1", "100") + `]}`},
		// Re-fetched with a second line: the view shows the latest lines only.
		row{id: "inv-4", link: l1, version: 2, fields: inv("OUTFLOW", "VIGENTE", "2026-11-01", "150"),
			raw: `{"invoice_details":[` + line("Servicio", "1", "100") + `,` + line("Envío", "1", "50") + `]}`},
	)
	insertRows(t, conn, db, "tax_status",
		row{id: "ts-old", link: l1, version: 1, fields: map[string]any{"rfc": "AAA010101AAA", "status_padron": "INACTIVO", "collected_at": "2026-01-01 00:00:00"},
			raw: `{"regimes":[],"obligations":[]}`},
		row{id: "ts-new", link: l1, version: 1, fields: map[string]any{"rfc": "AAA010101AAA", "status_padron": "ACTIVO", "collected_at": "2026-11-01 00:00:00"},
			raw: `{"regimes":[{"regimen":"Régimen General de Ley","initial_date":"2020-01-01","end_date":null},{"regimen":"Régimen Anterior","initial_date":"2010-01-01","end_date":"2019-12-31"}],` +
				`"obligations":[{"obligation":"Declaración anual de ISR","initial_date":"2020-01-01","end_date":null}]}`},
	)
	insertRows(t, conn, db, "tax_compliance_status",
		row{id: "c-old", link: l1, version: 1, fields: map[string]any{"rfc": "AAA010101AAA", "outcome": "NEGATIVE", "collected_at": "2026-02-01 00:00:00"}},
		row{id: "c-new", link: l1, version: 1, fields: map[string]any{"rfc": "AAA010101AAA", "outcome": "POSITIVE", "collected_at": "2026-11-02 00:00:00"}},
		row{id: "c-2", link: l2, version: 1, fields: map[string]any{"rfc": "CCC010101CCC", "outcome": "NEGATIVE", "collected_at": "2026-11-02 00:00:00"}},
	)

	assertAnswers(t, conn, db, []answer{
		{"monthly spend by category", qMonthlySpend, []string{
			"link-mx-1\t2026-10-01\tMXN\tFood & Groceries\t2\t300.5",
			"link-mx-1\t2026-11-01\tMXN\tShopping\t2\t200",
			"link-mx-1\t2026-11-01\tMXN\tTransport & Travel\t1\t300",
			"link-mx-2\t2026-11-01\tMXN\t\t1\t10",
		}},
		{"income vs expenses", qIncomeExpenses, []string{
			"link-mx-1\t2026-10-01\tMXN\t1000\t300.5\t699.5",
			"link-mx-1\t2026-11-01\tMXN\t20\t500\t-480",
			"link-mx-2\t2026-11-01\tMXN\t0\t10\t-10",
		}},
		{"credit-card bill transactions", qBillTransactions, []string{
			"bill-1\tbill\tt6\t120",
			"bill-1\tbill\tt7\t80",
			"bill-1\tbill\tt8\t20",
		}},
		{"credit-card bills", qBills, []string{
			"bill-1\t200\t3\t200\t20",
			"bill-2\t100\t0\t0\t0",
			"bill-3\t500\t0\t0\t0",
			"bill-4\t70\t0\t0\t0",
		}},
		{"overdue bills", qOverdue, []string{
			"bill-4\t40\t70\t0\t70\t0",
			"bill-1\t5\t200\t50\t150\t1",
		}},
		{"invoice lines", qInvoiceLines, []string{
			"inv-1\tissued\t1\tConsultoría\t1\t1000",
			"inv-1\tissued\t2\tViáticos\t2\t160",
			"inv-2\treceived\t1\tPapelería\t10\t580",
			"inv-3\tissued\t1\tCancelado\t1\t999",
			"inv-4\tissued\t1\tServicio\t1\t100",
			"inv-4\tissued\t2\tEnvío\t1\t50",
		}},
		{"invoices issued vs received", qIssuedReceived, []string{
			"link-mx-1\t2026-10-01\t1\t1160\t2\t1\t580\t1",
			"link-mx-1\t2026-11-01\t1\t150\t2\t0\t0\t0",
		}},
		{"tax standing", qTaxStanding, []string{
			"link-mx-1\tAAA010101AAA\tACTIVO\t['Régimen General de Ley']\t['Declaración anual de ISR']\tPOSITIVE\t1",
			"link-mx-2\tCCC010101CCC\t\t[]\t[]\tNEGATIVE\t0",
		}},
	})
}

// What a request loaded (migration 0006) and where each row came from
// (0008), on every migration: an async POST of invoices answered by two
// webhooks (one invoice re-fetched by the second: loaded once, answered
// twice), a refresh nothing answered yet, and a transaction fetched for a
// webhook, then re-fetched by a backfill.
func TestRequestAndLineageViewsAnswerWithKnownData(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	if _, err := Apply(ctx, conn, Target{Database: db}, nil); err != nil {
		t.Fatal(err)
	}
	const l1, post, refresh = "link-mx-1", "0d3ffb69f83b456ead8e208d0998d71d", "7c9e6679f4a44d9b8a1f0e2d3c4b5a69"
	insertRows(t, conn, db, "requests",
		row{id: post, link: l1, version: 1, fields: map[string]any{"belvo_request_id": post, "kind": "async_post", "resource": "invoices",
			"date_from": "2026-10-01", "date_to": "2026-10-31", "sent_at": "2026-11-01 10:00:00"}},
		row{id: refresh, link: l1, version: 1, fields: map[string]any{"belvo_request_id": refresh, "kind": "refresh", "sent_at": "2026-11-02 09:00:00"}},
	)
	answeredBy := func(webhook string) map[string]any {
		return map[string]any{"request_id": post, "webhook_id": webhook, "type": "INFLOW", "status": "VIGENTE", "currency": "MXN"}
	}
	insertRows(t, conn, db, "invoices",
		row{id: "inv-a1", link: l1, version: 1, fields: answeredBy("wh-async-1")},
		row{id: "inv-a2", link: l1, version: 1, fields: answeredBy("wh-async-1")},
		row{id: "inv-a2", link: l1, version: 2, fields: answeredBy("wh-async-2")},
	)
	insertRows(t, conn, db, "transactions",
		row{id: "t1", link: l1, version: 1, fields: map[string]any{"webhook_id": "wh-1", "amount": num("10"), "currency": "MXN"}},
		row{id: "t1", link: l1, version: 2, fields: map[string]any{"webhook_id": "backfill-b1-1", "amount": num("10"), "currency": "MXN"}},
	)
	for i, w := range []struct{ id, typ, code, origin string }{
		{"wh-async-1", "INVOICES", "historical_update", schemas.OriginWebhook},
		{"wh-async-2", "INVOICES", "historical_update", schemas.OriginWebhook},
		{"wh-1", "TRANSACTIONS", "new_transactions_available", schemas.OriginWebhook},
		{"backfill-b1-1", "TRANSACTIONS", "historical_update", schemas.OriginBackfill},
	} {
		q := fmt.Sprintf("INSERT INTO `%s`.`%s` (`webhook_id`, `event_key`, `webhook_type`, `webhook_code`, `link_id`, `data`, `errors_code`, `errors_message`, "+
			"`received_at`, `ingest_request_id`, `origin`, `topic`, `partition`, `offset`, `version`) "+
			"VALUES (%s, %s, %s, %s, %s, '{}', [], [], '2026-11-0%d 12:00:00', 'ingest-1', %s, 'test', 0, %d, 1)",
			db, schemas.WebhookEventsTable, literal(w.id), literal(w.id+":0"), literal(w.typ), literal(w.code), literal(l1), i+1, literal(w.origin), i)
		if err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}

	assertAnswers(t, conn, db, []answer{
		{"request records", qRequestRecords, []string{
			post + "\tasync_post\tinvoices\t2026-10-01\t2026-10-31\tinvoices\tinv-a1",
			post + "\tasync_post\tinvoices\t2026-10-01\t2026-10-31\tinvoices\tinv-a2",
		}},
		{"request totals", qRequestTotals, []string{
			post + "\tasync_post\tinvoices\t2\t2\t['invoices']",
			refresh + "\trefresh\t\t0\t0\t[]",
		}},
		{"lineage", qLineage, []string{
			"invoices\tinv-a1\t1\twh-async-1\twebhook\thistorical_update\t" + post + "\tasync_post",
			"invoices\tinv-a2\t1\twh-async-1\twebhook\thistorical_update\t" + post + "\tasync_post",
			"invoices\tinv-a2\t2\twh-async-2\twebhook\thistorical_update\t" + post + "\tasync_post",
			"transactions\tt1\t1\twh-1\twebhook\tnew_transactions_available\t\t",
			"transactions\tt1\t2\tbackfill-b1-1\tbackfill\thistorical_update\t\t",
		}},
	})
}

// A table created by an older release lacks the columns added since;
// re-applying 0001 adds them in their places, and applying it again
// changes nothing.
func TestRecordTablesAddNewColumnsToAnOldTable(t *testing.T) {
	conn, db := testDatabase(t)
	ctx := context.Background()
	if err := conn.Exec(ctx, "CREATE DATABASE `"+db+"`"); err != nil {
		t.Fatal(err)
	}
	r, _ := schemas.ResourceByName("transactions")
	old := r
	old.Fields = r.Fields[:5]
	ddl := strings.Replace(old.CreateTable(""), "`belvo`.", "`"+db+"`.", 1)
	if err := conn.Exec(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	all, err := Migrations()
	if err != nil {
		t.Fatal(err)
	}
	for pass := 0; pass < 2; pass++ {
		stmts, err := all[0].SQL(Target{Database: db})
		if err != nil || all[0].Version != 1 {
			t.Fatalf("migration %d: %v", all[0].Version, err)
		}
		for i, s := range stmts {
			if err := conn.Exec(ctx, s); err != nil {
				t.Fatalf("pass %d statement %d: %v", pass, i+1, err)
			}
		}
	}
	rows, err := conn.Query(ctx, "SELECT name, type FROM system.columns WHERE database = ? AND table = 'transactions' ORDER BY position", db)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []string
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			t.Fatal(err)
		}
		got = append(got, name+" "+typ)
	}
	var want []string
	for _, c := range r.ClickHouseColumns() {
		want = append(want, c.Name+" "+c.Type)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("columns after re-applying 0001:\n got %q\nwant %q", got, want)
	}
}

// Deletion rows are tombstones: FINAL hides them, merges keep them. The
// procedure docs/analytics.md gives to remove them for good works on a
// record table as generated: a deleted record leaves no physical row, a
// live one keeps its latest fetch.
func TestCleanupRemovesDeletedRecords(t *testing.T) {
	conn, db := analyticsDatabase(t)
	ctx := context.Background()
	tx := map[string]any{"type": "OUTFLOW", "amount": num("10"), "value_date": "2026-11-01", "currency": "MXN"}
	insertRows(t, conn, db, "transactions",
		row{id: "gone", link: "l", version: 1, fields: tx},
		row{id: "kept", link: "l", version: 1, fields: tx},
		row{id: "kept", link: "l", version: 2, fields: tx},
	)
	insertRows(t, conn, db, "transactions", row{id: "gone", link: "l", version: 2, deleted: true})
	physical := func() []string {
		return query(t, conn, db, "SELECT id, version, is_deleted FROM belvo.transactions ORDER BY id, version")
	}
	for _, s := range []string{
		"OPTIMIZE TABLE `" + db + "`.`transactions` FINAL",
	} {
		if err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := physical(), []string{"gone\t2\t1", "kept\t2\t0"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("after a plain merge: %q, want the tombstone kept %q", got, want)
	}
	for _, s := range []string{
		"ALTER TABLE `" + db + "`.`transactions` MODIFY SETTING allow_experimental_replacing_merge_with_cleanup = 1",
		"OPTIMIZE TABLE `" + db + "`.`transactions` FINAL CLEANUP",
	} {
		if err := conn.Exec(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := physical(), []string{"kept\t2\t0"}; !reflect.DeepEqual(got, want) {
		t.Errorf("after FINAL CLEANUP: %q, want %q", got, want)
	}
}

// Every member of every child view reads back typed, on the real engine:
// a parent whose raw holds, at each child's path, one element with every
// member set to a value of its kind yields one row with no NULL and the
// expected values.
func TestChildViewsReadEveryMemberTyped(t *testing.T) {
	conn, db := analyticsDatabase(t)
	sample := map[schemas.Kind]any{
		schemas.String: "text", schemas.Enum: "CODE", schemas.Int: 7, schemas.Float: 1.5, schemas.Bool: true,
		schemas.Decimal: 1234.56, schemas.Date: "2024-03-15", schemas.Timestamp: "2024-03-15T10:00:00.5Z",
	}
	want := map[schemas.Kind]string{
		schemas.String: "text", schemas.Enum: "CODE", schemas.Int: "7", schemas.Float: "1.5", schemas.Bool: "true",
		schemas.Decimal: "1234.56", schemas.Date: "2024-03-15", schemas.Timestamp: "2024-03-15 10:00:00.500000",
	}
	set := func(obj map[string]any, path string, v any) {
		segs := strings.Split(path, ".")
		for _, s := range segs[:len(segs)-1] {
			next, ok := obj[s].(map[string]any)
			if !ok {
				next = map[string]any{}
				obj[s] = next
			}
			obj = next
		}
		obj[segs[len(segs)-1]] = v
	}
	for _, r := range schemas.Resources {
		if len(r.Children) == 0 {
			continue
		}
		rec := map[string]any{}
		for _, c := range r.Children {
			var elem any
			if len(c.Fields) == 1 && c.Fields[0].Path() == schemas.ElementPath {
				elem = sample[c.Fields[0].Kind]
			} else {
				m := map[string]any{}
				for _, f := range c.Fields {
					set(m, f.Path(), sample[f.Kind])
				}
				elem = m
			}
			outer, inner, nested := strings.Cut(c.Path, schemas.NestedSeparator)
			if !nested {
				set(rec, c.Path, []any{elem})
				continue
			}
			// Inside the first element of the outer array, which the
			// outer child (listed first) may already have filled.
			var first map[string]any
			if arr, ok := walkPath(rec, outer).([]any); ok && len(arr) > 0 {
				first, _ = arr[0].(map[string]any)
			}
			if first == nil {
				first = map[string]any{}
				set(rec, outer, []any{first})
			}
			set(first, inner, []any{elem})
		}
		raw, err := json.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		insertRows(t, conn, db, r.Name, row{id: "p-" + r.Name, link: "l", version: 1, raw: string(raw)})
		for _, c := range r.Children {
			cols := []string{schemas.QuoteIdent(c.ParentID), "`position`"}
			expect := []string{"p-" + r.Name, "1"}
			if strings.Contains(c.Path, schemas.NestedSeparator) {
				cols = append(cols, "`parent_position`")
				expect = append(expect, "1")
			}
			for _, f := range c.Fields {
				cols = append(cols, schemas.QuoteIdent(f.Name))
				expect = append(expect, want[f.Kind])
			}
			got := query(t, conn, db, "SELECT "+strings.Join(cols, ", ")+" FROM belvo."+schemas.QuoteIdent(c.Name))
			if len(got) != 1 || got[0] != strings.Join(expect, "\t") {
				t.Errorf("%s:\n got %q\nwant %q", c.Name, got, strings.Join(expect, "\t"))
			}
		}
	}
}

func walkPath(v any, path string) any {
	for _, seg := range strings.Split(path, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[seg]
	}
	return v
}
