package pipeline

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Freshness is the delay from a webhook's first receipt to each row loaded
// for it, over the webhooks first received in one window: the freshness
// view's measure, for one phase of a run rather than all of it.
type Freshness struct {
	Webhooks      uint64 // webhooks of the window with at least one row loaded
	Rows          uint64
	P50, P99, Max time.Duration
	// FetchP50 and FetchP99 are the part of the delay up to the record's
	// fetch from Belvo (fetched_at): the rest is the fetcher's publishing
	// and the sink's.
	FetchP50, FetchP99 time.Duration
	FirstReceived      time.Time // earliest receipt of the window's webhooks
	LastLoaded         time.Time // latest row loaded for them
}

// Span is the time from the window's first receipt to its last row loaded.
func (f Freshness) Span() time.Duration { return f.LastLoaded.Sub(f.FirstReceived) }

// FreshnessBetween measures the rows loaded for the webhooks first
// received in [from, to). Like the view it counts physical rows, not
// FINAL: hold merges (HoldMerges) while measuring, or a merge drops the
// earlier loads of a record fetched again.
func (p *Pipeline) FreshnessBetween(ctx context.Context, from, to time.Time) (Freshness, error) {
	conn, db, err := p.open()
	if err != nil {
		return Freshness{}, err
	}
	defer conn.Close()
	var rows strings.Builder
	for i, r := range schemas.Resources {
		if i > 0 {
			rows.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&rows, "SELECT assumeNotNull(webhook_id) AS webhook_id, fetched_at, loaded_at FROM %s WHERE webhook_id IS NOT NULL AND is_deleted = 0", table(db, r.Name))
	}
	// Quantiles exact, unlike the view's sampled ones: a phase's p99 is
	// compared with a target.
	q := "SELECT uniqExact(webhook_id), count(), quantilesExact(0.5, 0.99)(lag), max(lag), quantilesExact(0.5, 0.99)(fetch_lag), min(received_at), max(loaded_at) FROM (" +
		"SELECT l.webhook_id AS webhook_id, l.loaded_at AS loaded_at, w.received_at AS received_at, " +
		"dateDiff('microsecond', w.received_at, l.loaded_at) AS lag, dateDiff('microsecond', w.received_at, l.fetched_at) AS fetch_lag FROM (" + rows.String() + ") AS l " +
		"INNER JOIN (SELECT webhook_id, min(received_at) AS received_at FROM " + table(db, "webhook_events") +
		" GROUP BY webhook_id HAVING received_at >= " + dateTime64(from) + " AND received_at < " + dateTime64(to) + ") AS w" +
		" ON l.webhook_id = w.webhook_id) AS l"
	var (
		f     Freshness
		qs    []int64
		fqs   []int64
		mx    int64
		first time.Time
		last  time.Time
	)
	if err := conn.QueryRow(ctx, q).Scan(&f.Webhooks, &f.Rows, &qs, &mx, &fqs, &first, &last); err != nil {
		return Freshness{}, fmt.Errorf("freshness between %v and %v: %w", from, to, err)
	}
	if f.Rows == 0 {
		return f, nil
	}
	f.P50, f.P99, f.Max = time.Duration(qs[0])*time.Microsecond, time.Duration(qs[1])*time.Microsecond, time.Duration(mx)*time.Microsecond
	f.FetchP50, f.FetchP99 = time.Duration(fqs[0])*time.Microsecond, time.Duration(fqs[1])*time.Microsecond
	f.FirstReceived, f.LastLoaded = first, last
	return f, nil
}

// dateTime64 is t as a ClickHouse DateTime64(6, 'UTC') literal.
func dateTime64(t time.Time) string {
	return "toDateTime64('" + t.UTC().Format("2006-01-02 15:04:05.000000") + "', 6, 'UTC')"
}
