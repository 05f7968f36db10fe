package pipeline

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Check is one expectation about ClickHouse's content.
type Check struct {
	Name      string
	Want, Got uint64
}

// OK reports whether the check holds.
func (c Check) OK() bool { return c.Want == c.Got }

// Report is the outcome of Verify.
type Report struct{ Checks []Check }

// Failed returns the checks that do not hold.
func (r Report) Failed() []Check {
	var out []Check
	for _, c := range r.Checks {
		if !c.OK() {
			out = append(out, c)
		}
	}
	return out
}

func (p *Pipeline) open() (driver.Conn, string, error) { return Open(p.dsn) }

// Open connects to the ClickHouse server of dsn (CLICKHOUSE_DSN's form) and
// returns the connection and the DSN's database.
func Open(dsn string) (driver.Conn, string, error) {
	opts, db, err := migrate.ParseDSN(dsn)
	if err != nil {
		return nil, "", err
	}
	conn, err := clickhouse.Open(opts)
	return conn, db, err
}

// HoldMerges stops the engine's background merges of the resource tables
// until release is called. Verify checks that every delivered webhook left
// physical rows carrying its webhook_id, and a merge keeps only the latest
// version of a record: when a later event of the same link fetched the same
// records again, an earlier event's rows vanish at a moment of the engine's
// choosing (seen: invoices_cancelled's two rows merged away by a re-fetch
// nine seconds later). Queries with FINAL and the views are unaffected.
//
// The fact tables keep merging: their rows are keyed by event, so a merge
// only folds an event's own copies. Held, reconciliations (a part per sink
// flush) neared parts_to_delay_insert within minutes of `run`'s load, from
// which the engine slows every insert into it.
func (p *Pipeline) HoldMerges(ctx context.Context) (release func(), err error) {
	return HoldMerges(ctx, p.dsn)
}

// HoldMerges is Pipeline.HoldMerges for the database of dsn, for drivers
// that run the roles as processes of their own. A server restart forgets
// it: call it again after one.
func HoldMerges(ctx context.Context, dsn string) (release func(), err error) {
	conn, db, err := Open(dsn)
	if err != nil {
		return nil, err
	}
	run := func(ctx context.Context, verb string) error {
		for _, r := range schemas.Resources {
			if err := conn.Exec(ctx, "SYSTEM "+verb+" MERGES "+table(db, r.Name)); err != nil {
				return fmt.Errorf("%s merges of %s: %w", strings.ToLower(verb), r.Name, err)
			}
		}
		return nil
	}
	if err := run(ctx, "STOP"); err != nil {
		conn.Close()
		return nil, err
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = run(ctx, "START")
		conn.Close()
	}, nil
}

// Verify compares ClickHouse with what the emulator's scenario announced:
// every resource of the scenario's data link holds exactly the records the
// emulator serves for it (deleted transactions gone, updated ones once,
// cancelled invoices included), the deleted link holds nothing, and every
// delivered webhook left its audit row and its fact (link, consent, error
// events, institution status).
func (p *Pipeline) Verify(ctx context.Context) (Report, error) {
	return Verify(ctx, p.dsn, p.Emulator)
}

// Verify is Pipeline.Verify for the database of dsn and an emulator that
// may run outside any Pipeline (the chaos driver runs the roles as
// processes of their own).
func Verify(ctx context.Context, dsn string, emu *emulator.Emulator) (Report, error) {
	if emu == nil {
		return Report{}, fmt.Errorf("verify needs the emulator: it knows what ClickHouse should hold")
	}
	return VerifyDeliveries(ctx, dsn, emu, emu.Deliveries())
}

// VerifyDeliveries is Verify for the deliveries ds only, e.g. those
// RunScenario returned: a load sent after it makes thousands more, whose
// lineage would cost a query each.
func VerifyDeliveries(ctx context.Context, dsn string, emu *emulator.Emulator, ds []emulator.Delivery) (Report, error) {
	conn, db, err := Open(dsn)
	if err != nil {
		return Report{}, err
	}
	defer conn.Close()
	sc := Classify(ds)
	if sc.DataLink == "" {
		return Report{}, fmt.Errorf("verify: no scenario was delivered (no transactions_deleted event)")
	}
	v := &verifier{ctx: ctx, conn: conn, db: db}
	for _, r := range schemas.Resources {
		recs, err := emu.Records(r.Name, url.Values{"link": {sc.DataLink}})
		if err != nil {
			return v.rep, err
		}
		t := table(db, r.Name)
		if err := v.count(r.Name+" rows of the scenario's link", "SELECT count() FROM "+t+" FINAL WHERE link_id = ?", uint64(len(recs)), sc.DataLink); err != nil {
			return v.rep, err
		}
		if sc.DeletedLink != "" {
			if err := v.count(r.Name+" rows of the deleted link", "SELECT count() FROM "+t+" FINAL WHERE link_id = ?", 0, sc.DeletedLink); err != nil {
				return v.rep, err
			}
		}
	}
	err = v.deliveries(sc)
	return v.rep, err
}

// VerifyScenario is VerifyDeliveries for the database of p.
func (p *Pipeline) VerifyScenario(ctx context.Context, ds []emulator.Delivery) (Report, error) {
	return VerifyDeliveries(ctx, p.dsn, p.Emulator, ds)
}

// VerifyLoad is the package's VerifyLoad for the database of p.
func (p *Pipeline) VerifyLoad(ctx context.Context, ds []emulator.Delivery) (Report, error) {
	return VerifyLoad(ctx, p.dsn, ds)
}

// VerifyLoad checks what the deliveries ds, a load without a scenario
// (RunLoad), must have left: every delivered webhook's audit row, fact and
// lineage. Unlike the scenario's checks it needs no merges held: a load
// event's lineage is its reconciliation, or rows of its link that it or a
// later event loaded, and a merge keeps the latest of those.
func VerifyLoad(ctx context.Context, dsn string, ds []emulator.Delivery) (Report, error) {
	conn, db, err := Open(dsn)
	if err != nil {
		return Report{}, err
	}
	defer conn.Close()
	v := &verifier{ctx: ctx, conn: conn, db: db}
	err = v.deliveries(Classify(ds))
	return v.rep, err
}

// verifier runs Verify's counts and collects them.
type verifier struct {
	ctx  context.Context
	conn driver.Conn
	db   string
	rep  Report
}

func (v *verifier) scalar(name, query string, args ...any) (uint64, error) {
	var got uint64
	if err := v.conn.QueryRow(v.ctx, query, args...).Scan(&got); err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return got, nil
}

func (v *verifier) count(name, query string, want uint64, args ...any) error {
	got, err := v.scalar(name, query, args...)
	if err != nil {
		return err
	}
	v.rep.Checks = append(v.rep.Checks, Check{Name: name, Want: want, Got: got})
	return nil
}

// countChunked is count for a query of one IN list of distinct ids, run
// on chunks of verifyChunk ids whose counts add up: the ids of a long load
// made one statement longer than the engine's max_query_size.
func (v *verifier) countChunked(name, query string, want uint64, ids []string) error {
	var got uint64
	for chunk := range slices.Chunk(ids, verifyChunk) {
		n, err := v.scalar(name, query, chunk)
		if err != nil {
			return err
		}
		got += n
	}
	v.rep.Checks = append(v.rep.Checks, Check{Name: name, Want: want, Got: got})
	return nil
}

// deliveries checks every delivered webhook of sc: its audit row, its
// fact, and the rows that carry its webhook_id.
func (v *verifier) deliveries(sc Delivered) error {
	db := v.db
	checks := []struct {
		name, query string
		want        uint64
	}{
		{"webhook_events: one row per delivered webhook", "SELECT uniqExact(webhook_id) FROM " + table(db, "webhook_events") + " WHERE webhook_id IN (?)", uint64(len(sc.WebhookIDs))},
		// The facts' id is the event key; the scenario's webhook ids are
		// distinct, so one row per webhook_id is one per event.
		{"link_events: one per LINK webhook", "SELECT count() FROM " + table(db, "link_events") + " FINAL WHERE webhook_id IN (?)", uint64(len(sc.LinkIDs))},
		{"consent_events: one per CONSENT webhook", "SELECT count() FROM " + table(db, "consent_events") + " FINAL WHERE webhook_id IN (?)", uint64(len(sc.ConsentIDs))},
		{"error_events: one per error webhook", "SELECT count() FROM " + table(db, "error_events") + " FINAL WHERE webhook_id IN (?)", uint64(len(sc.ErrorIDs))},
		{"reconciliations that disagree", "SELECT count() FROM " + table(db, "reconciliations") + " FINAL WHERE matched = false AND webhook_id IN (?)", 0},
	}
	args := [][]string{sc.WebhookIDs, sc.LinkIDs, sc.ConsentIDs, sc.ErrorIDs, sc.WebhookIDs}
	for i, c := range checks {
		ids := args[i]
		if len(ids) == 0 {
			ids = []string{""}
		}
		if err := v.countChunked(c.name, c.query, c.want, ids); err != nil {
			return err
		}
	}
	// Every catalogue row delivered left rows that carry its
	// webhook_id as lineage: fetched records, deletion rows or its fact.
	// The events that announced a count are checked together, in chunks:
	// a load is thousands of them, and a statement each took minutes.
	var reconciled []string
	for _, ev := range sc.Events {
		if reconciles(ev) {
			reconciled = append(reconciled, ev.WebhookID)
			continue
		}
		name, q, args := lineageQuery(db, ev)
		if q == "" {
			continue
		}
		if err := v.count(name, q, 1, args...); err != nil {
			return err
		}
	}
	if len(reconciled) > 0 {
		q := "SELECT count() FROM (SELECT webhook_id FROM " + table(db, "reconciliations") +
			" FINAL WHERE matched AND webhook_id IN (?) GROUP BY webhook_id HAVING count() = 1)"
		name := fmt.Sprintf("reconciliations: one that agrees per event that announced a count (%d events)", len(reconciled))
		if err := v.countChunked(name, q, uint64(len(reconciled)), reconciled); err != nil {
			return err
		}
	}
	if sc.StatusEvents > 0 {
		if err := v.count("institution_status: the delivered update", "SELECT least(count(), 1) FROM "+table(db, "institution_status"), 1); err != nil {
			return err
		}
	}
	return nil
}

// verifyChunk is how many ids one IN list of Verify holds: about 40 kB
// of statement, far under max_query_size (256 KiB).
const verifyChunk = 1000

func table(db, name string) string { return schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(name) }

// Delivered is what the emulator's acknowledged deliveries say ClickHouse
// must hold, sorted by kind.
type Delivered struct {
	DataLink    string // the scenario's data link (its transactions_deleted event), "" without a scenario
	DeletedLink string // the link the scenario deleted
	// WebhookIDs are the distinct delivered webhooks; LinkIDs, ConsentIDs
	// and ErrorIDs those of them that are facts of link_events,
	// consent_events and error_events.
	WebhookIDs, LinkIDs, ConsentIDs, ErrorIDs []string
	StatusEvents                              int              // institution-status deliveries
	Events                                    []emulator.Event // one per WebhookIDs entry, in delivery order
}

// reconciles reports whether ev's trace is its reconciliation: it announced
// a count of records to fetch. A later event of the same link may fetch the
// same records again, and a merge then keeps only its rows: the
// reconciliation fact (keyed by event) is the durable trace that this
// event's fetch happened and agreed.
func reconciles(ev emulator.Event) bool {
	data, _ := ev.Data.(map[string]any)
	if data != nil && data["errors"] != nil {
		return false // counted with error_events
	}
	row, ok := schemas.Lookup(ev.WebhookType, ev.WebhookCode)
	return ok && row.Count != "" && row.Action != schemas.Delete
}

// lineageQuery returns the check that event ev left its trace in ClickHouse,
// and its arguments, for an event that does not reconcile: at least one
// row that carries its webhook_id (physical rows, not FINAL: a
// later event may have superseded the rows an earlier one loaded).
func lineageQuery(db string, ev emulator.Event) (name, query string, args []any) {
	data, _ := ev.Data.(map[string]any)
	if data != nil && data["errors"] != nil {
		return "", "", nil // counted with error_events
	}
	row, ok := schemas.Lookup(ev.WebhookType, ev.WebhookCode)
	if !ok {
		return "", "", nil
	}
	var t, where string
	args = []any{ev.WebhookID}
	switch row.Action {
	case schemas.LinkStatus:
		t, where = "link_events", "webhook_id = ?" // id is the event key
	case schemas.ConsentStatus:
		t, where = "consent_events", "webhook_id = ?"
	case schemas.Delete:
		t, where = row.Resource, "webhook_id = ? AND is_deleted = 1"
	default:
		// Holding merges is not enough: the engine also keeps one version
		// of a record within each inserted block (optimize_on_insert), and
		// a sink batch can hold this event's records and a later event's
		// re-fetch of them. Then the later event's rows stand for these:
		// rows of the same link loaded for an event received after this one.
		t = row.Resource
		where = "webhook_id = ? OR link_id = ? AND webhook_id IN (SELECT webhook_id FROM " + table(db, "webhook_events") +
			" WHERE link_id = ? AND received_at > (SELECT min(received_at) FROM " + table(db, "webhook_events") + " WHERE webhook_id = ?))"
		args = []any{ev.WebhookID, ev.LinkID, ev.LinkID, ev.WebhookID}
	}
	return fmt.Sprintf("%s/%s left rows in %s", ev.WebhookType, ev.WebhookCode, t),
		"SELECT least(count(), 1) FROM " + table(db, t) + " WHERE " + where, args
}

// Classify sorts the delivered (acknowledged) webhooks of ds by what they
// leave in ClickHouse; undelivered ones are left out.
func Classify(ds []emulator.Delivery) Delivered {
	var sc Delivered
	seen := map[string]bool{}
	for _, d := range ds {
		if !d.Delivered {
			continue
		}
		if d.WebhookID == "" {
			sc.StatusEvents++
			continue
		}
		ev, err := d.Event()
		if err != nil {
			continue
		}
		if !seen[d.WebhookID] {
			seen[d.WebhookID] = true
			sc.WebhookIDs = append(sc.WebhookIDs, d.WebhookID)
			sc.Events = append(sc.Events, ev)
		}
		data, _ := ev.Data.(map[string]any)
		switch {
		case data != nil && data["errors"] != nil:
			sc.ErrorIDs = append(sc.ErrorIDs, d.WebhookID)
		case ev.WebhookType == "LINK":
			sc.LinkIDs = append(sc.LinkIDs, d.WebhookID)
			if ev.WebhookCode == "link_deleted" && ev.Data == nil {
				sc.DeletedLink = ev.LinkID
			}
		case ev.WebhookType == "CONSENT":
			sc.ConsentIDs = append(sc.ConsentIDs, d.WebhookID)
		case ev.WebhookType == "TRANSACTIONS" && ev.WebhookCode == "transactions_deleted":
			sc.DataLink = ev.LinkID
		}
	}
	return sc
}

// Summary prints what an analyst sees first: rows per table, a cash-flow
// sample, freshness, and how to ask for more.
func (p *Pipeline) Summary(ctx context.Context, w io.Writer) error {
	conn, db, err := p.open()
	if err != nil {
		return err
	}
	defer conn.Close()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\ntable\trows (FINAL)\t")
	names := []string{"webhook_events", "institution_status"}
	for _, r := range schemas.Tables() {
		names = append(names, r.Name)
	}
	for _, n := range names {
		var c uint64
		final := " FINAL"
		if n == "webhook_events" || n == "institution_status" {
			final = ""
		}
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+table(db, n)+final).Scan(&c); err != nil {
			return fmt.Errorf("count %s: %w", n, err)
		}
		fmt.Fprintf(tw, "%s\t%d\t\n", n, c)
	}
	tw.Flush()

	fmt.Fprintln(w, "\ndaily cash flow (sample):")
	rows, err := conn.Query(ctx, "SELECT link_id, currency, direction, day, transactions, toString(amount) FROM "+table(db, "daily_cash_flow")+
		" ORDER BY day DESC, link_id, currency, direction LIMIT 6")
	if err != nil {
		return fmt.Errorf("daily_cash_flow: %w", err)
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "link_id\tcurrency\tdirection\tday\ttransactions\tamount\t")
	for rows.Next() {
		var link, amount string
		var cur, dir *string
		var day time.Time
		var n uint64
		if err := rows.Scan(&link, &cur, &dir, &day, &n, &amount); err != nil {
			rows.Close()
			return err
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t\n", link, deref(cur), deref(dir), day.Format("2006-01-02"), n, amount)
	}
	rows.Close()
	tw.Flush()

	fmt.Fprintln(w, "\nfreshness, webhook received → row loaded (seconds):")
	rows, err = conn.Query(ctx, "SELECT resource, rows, p50_seconds, p99_seconds, max_seconds FROM "+table(db, "freshness")+" ORDER BY resource")
	if err != nil {
		return fmt.Errorf("freshness: %w", err)
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "resource\trows\tp50\tp99\tmax\t")
	for rows.Next() {
		var res string
		var n uint64
		var p50, p99, mx float64
		if err := rows.Scan(&res, &n, &p50, &p99, &mx); err != nil {
			rows.Close()
			return err
		}
		fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t\n", res, n, p50, p99, mx)
	}
	rows.Close()
	tw.Flush()
	fmt.Fprintf(w, "\nquery it yourself, e.g.:\n  curl -s 'http://127.0.0.1:8123/' --data-binary \"SELECT * FROM %s.daily_cash_flow ORDER BY day DESC LIMIT 10 FORMAT PrettyCompact\"\n", db)
	fmt.Fprintf(w, "  (views: current_transactions, daily_cash_flow, invoices_monthly, freshness; see docs/analytics.md)\n")
	return nil
}

func deref(s *string) string {
	if s == nil {
		return "NULL"
	}
	return strings.TrimSpace(*s)
}
