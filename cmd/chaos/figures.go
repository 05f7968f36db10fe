package main

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/ClickHouse/clickhouse-go/v2/lib/driver"

	"github.com/finflow/belvo-pipeline/schemas"
)

// figure is one table's comparison with what the emulator serves.
type figure struct {
	table    string
	expected int // rows that must be there with FINAL
	final    int // rows with FINAL
	raw      int // physical rows (replays, re-fetches and retries included)
	dups     int // rows with FINAL beyond one per key
	missing  int // expected keys absent with FINAL
	extra    int // keys with FINAL that no webhook explains
}

func (f figure) ok() bool { return f.dups == 0 && f.missing == 0 && f.extra == 0 }

// tableOrder is the order of the printed table: the audit first, then
// every record table as schemas lists it.
func tableOrder() []string {
	names := []string{tableWebhooks, tableStatus}
	for _, r := range schemas.Tables() {
		names = append(names, r.Name)
	}
	return names
}

// measure compares every table of db with exp.
func measure(ctx context.Context, conn driver.Conn, db string, exp map[string]*expectation) ([]figure, error) {
	var out []figure
	for _, name := range tableOrder() {
		e := exp[name]
		if e == nil {
			e = newExpectation()
		}
		t := schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(name)
		f := figure{table: name, expected: e.expected()}
		var raw uint64
		if err := conn.QueryRow(ctx, "SELECT count() FROM "+t).Scan(&raw); err != nil {
			return nil, fmt.Errorf("count %s: %w", name, err)
		}
		f.raw = int(raw)
		if e.counts {
			var final, keys uint64
			if err := conn.QueryRow(ctx, "SELECT count(), uniqExact(event_key) FROM "+t+" FINAL").Scan(&final, &keys); err != nil {
				return nil, fmt.Errorf("count %s with FINAL: %w", name, err)
			}
			f.final, f.dups = int(final), int(final-keys)
			f.missing = max(0, f.expected-int(keys))
			f.extra = max(0, int(keys)-f.expected)
			out = append(out, f)
			continue
		}
		key := "concat(link_id, '/', id)"
		switch name {
		case tableWebhooks:
			key = "webhook_id"
		case "reconciliations", "link_events", "consent_events", "error_events":
			key = "concat(link_id, '/', assumeNotNull(webhook_id))" // id is the event key
		}
		rows, err := conn.Query(ctx, "SELECT "+key+" FROM "+t+" FINAL")
		if err != nil {
			return nil, fmt.Errorf("keys of %s with FINAL: %w", name, err)
		}
		seen := make(map[string]bool, len(e.want))
		for rows.Next() {
			var k string
			if err := rows.Scan(&k); err != nil {
				rows.Close()
				return nil, fmt.Errorf("keys of %s: %w", name, err)
			}
			f.final++
			if seen[k] {
				f.dups++
				continue
			}
			seen[k] = true
			if !e.may[k] {
				f.extra++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("keys of %s: %w", name, err)
		}
		for k := range e.want {
			if !seen[k] {
				f.missing++
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// mismatched counts the reconciliations where the fetcher got another
// number of records than the event announced.
func mismatched(ctx context.Context, conn driver.Conn, db string) (int, error) {
	var n uint64
	t := schemas.QuoteIdent(db) + "." + schemas.QuoteIdent("reconciliations")
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+t+" FINAL WHERE matched = false").Scan(&n); err != nil {
		return 0, fmt.Errorf("reconciliations that disagree: %w", err)
	}
	return int(n), nil
}

// total adds the figures up.
func total(fs []figure) figure {
	t := figure{table: "total"}
	for _, f := range fs {
		t.expected += f.expected
		t.final += f.final
		t.raw += f.raw
		t.dups += f.dups
		t.missing += f.missing
		t.extra += f.extra
	}
	return t
}

// printFigures writes the table the issue asks for, per table and in total.
func printFigures(w io.Writer, fs []figure) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\texpected\trows FINAL\traw rows\tdup after FINAL\tmissing\tunexpected\t")
	line := func(f figure) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", f.table, f.expected, f.final, f.raw, f.dups, f.missing, f.extra)
	}
	for _, f := range fs {
		line(f)
	}
	line(total(fs))
	tw.Flush()
}
