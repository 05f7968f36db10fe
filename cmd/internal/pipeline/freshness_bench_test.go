package pipeline

import (
	"context"
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// BenchmarkFreshness runs `run`'s roles with the emulator on the local
// services, with topics, groups and a database of its own, through three
// phases, and prints the delay from a webhook's receipt to its rows
// loaded for each (issue 13's freshness targets):
//
//   - steady: FRESH_RATE webhooks/s (about 5,000 records/s) for FRESH_SECONDS;
//   - burst: about FRESH_BURST_RECORDS records' worth of webhooks at once;
//   - new type: one webhook of FRESH_NEW_TYPE, a type both loads skipped,
//     so its topic has had nothing until then.
//
// Each phase's webhooks are those first received between its start and
// its end; the pipeline settles between phases. The roles read every other
// setting from the environment, with run's defaults (SINK_FLUSH_INTERVAL=...
// make bench-freshness tries one). Run with -benchtime 1x: one run is a
// minute or more.
func BenchmarkFreshness(b *testing.B) {
	rate := envFloat(b, "FRESH_RATE", 54)
	seconds := envFloat(b, "FRESH_SECONDS", 30)
	burstRecords := envFloat(b, "FRESH_BURST_RECORDS", 30_000)
	newType := firstNonEmpty(os.Getenv("FRESH_NEW_TYPE"), "OWNERS")

	own := testenv.PipelineEnv(b, "fresh")
	// run's own partition count, and its emulator rather than a Belvo URL
	// the environment may name.
	delete(own, "TOPIC_PARTITIONS")
	own["BELVO_URL"] = ""
	b.Cleanup(func() { dropDatabase(b, own["CLICKHOUSE_DSN"]) })
	getenv := func(k string) string {
		if v, ok := own[k]; ok {
			return v
		}
		return os.Getenv(k)
	}
	p, err := New(getenv, testenv.Logger(b, 200))
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	stop, err := p.Start(ctx)
	defer func() {
		if err := stop(); err != nil {
			b.Errorf("pipeline stopped with %v", err)
		}
	}()
	if err != nil {
		b.Fatal(err)
	}
	release, err := p.HoldMerges(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer release()

	type phase struct {
		name     string
		webhooks int
		sent     time.Duration
		f        Freshness
		spent    costs
	}
	var phases []phase
	measure := func(name string, send func() (int, error)) phase {
		b.Helper()
		before := p.costs()
		from := time.Now()
		n, err := send()
		if err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		sent := time.Since(from)
		to := time.Now()
		if _, err := p.WaitSettled(ctx, 2*time.Second); err != nil {
			b.Fatalf("%s: %v", name, err)
		}
		f, err := p.FreshnessBetween(ctx, from, to)
		if err != nil {
			b.Fatal(err)
		}
		phases = append(phases, phase{name, n, sent, f, p.costs().minus(before)})
		return phases[len(phases)-1]
	}
	load := func(n int, rate float64) func() (int, error) {
		return func() (int, error) {
			st, err := p.Emulator.RunLoadExcept(ctx, n, rate, newType)
			if err == nil && st.Failed > 0 {
				err = fmt.Errorf("%d of %d webhooks not acknowledged", st.Failed, st.Sent)
			}
			return st.Delivered, err
		}
	}

	// The first webhooks meet cold paths (schemas resolved, each
	// partition's loaded offset read from ClickHouse): shown, not mixed in.
	measure("warm-up", load(40, 100))
	steady := measure(fmt.Sprintf("steady %.0f webhooks/s", rate), load(int(rate*seconds), rate))
	// Rows of one record fetched twice in one insert are merged on insert,
	// so the records a webhook brings are counted where the fetcher published them.
	perWebhook := steady.spent.fetched / math.Max(1, float64(steady.webhooks))
	burst := measure("burst", load(int(math.Ceil(burstRecords/math.Max(1, perWebhook))), 1e6))
	fresh := measure("new type "+newType, func() (int, error) {
		d, err := p.Emulator.SendHistorical(ctx, newType)
		if err == nil && !d.Delivered {
			err = fmt.Errorf("webhook %s not acknowledged", d.WebhookID)
		}
		return 1, err
	})
	if fresh.f.Rows == 0 {
		b.Errorf("the %s webhook left no rows", newType)
	}

	host, _ := os.Hostname()
	fmt.Printf("\nfreshness, webhook received -> row loaded (%s, %d CPUs, GOMAXPROCS %d; host shared: compare runs back to back)\n",
		host, runtime.NumCPU(), runtime.GOMAXPROCS(0))
	tw := tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\twebhooks\trecords\tsent in\tdrained in\trecords/s\trows kept\tp50\tp99\tmax\tto fetch p50\tto fetch p99\t")
	for _, ph := range phases {
		f := ph.f
		fmt.Fprintf(tw, "%s\t%d\t%.0f\t%.1fs\t%.1fs\t%.0f\t%d\t%.2fs\t%.2fs\t%.2fs\t%.2fs\t%.2fs\t\n", ph.name, ph.webhooks, ph.spent.inserted,
			ph.sent.Seconds(), f.Span().Seconds(), ph.spent.inserted/math.Max(f.Span().Seconds(), ph.sent.Seconds()), f.Rows,
			f.P50.Seconds(), f.P99.Seconds(), f.Max.Seconds(), f.FetchP50.Seconds(), f.FetchP99.Seconds())
	}
	tw.Flush()
	fmt.Println("(records: rows the sink inserted; rows kept: those left after the engine merged a record fetched twice in one insert, which the quantiles are of)")
	fmt.Println("\nwhere the time went (sums over each phase)")
	tw = tabwriter.NewWriter(os.Stdout, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "phase\trecords fetched\trows inserted\tBelvo requests\tmean request\tthrottled\tsink flushes\tinsert time\tmean insert\t")
	for _, ph := range phases {
		c := ph.spent
		fmt.Fprintf(tw, "%s\t%.0f\t%.0f\t%.0f\t%.1fms\t%.1fs\t%.0f\t%.1fs\t%.1fms\t\n", ph.name, c.fetched, c.inserted, c.requests,
			1000*c.requestSeconds/math.Max(1, c.requests), c.throttled, c.flushes, c.insertSeconds, 1000*c.insertSeconds/math.Max(1, c.inserts))
	}
	tw.Flush()
	if worst, err := p.worstViewP99(ctx); err == nil {
		fmt.Printf("freshness view, whole run: worst resource p99 %.2fs\n", worst)
	} else {
		b.Error(err)
	}
	b.ReportMetric(steady.f.P99.Seconds(), "steady-p99-s")
	b.ReportMetric(burst.f.P99.Seconds(), "burst-p99-s")
	b.ReportMetric(fresh.f.Max.Seconds(), "newtype-max-s")
}

// costs are the roles' counters that say where a phase's time went.
type costs struct {
	fetched, inserted        float64 // records published by the fetcher, rows inserted by the sink
	requests, requestSeconds float64 // Belvo requests and their summed latency
	throttled                float64 // seconds the fetcher waited for its Belvo rate limit
	flushes                  float64 // sink flushes that committed
	inserts, insertSeconds   float64 // sink batch inserts (one per table and flush) and their summed latency
}

func (p *Pipeline) costs() costs {
	f, s := p.gather("fetcher"), p.gather("sink")
	var c costs
	c.fetched = f.sum("fetcher_records_published_total")
	c.inserted = s.sum("sink_rows_loaded_total")
	c.requests, c.requestSeconds = f.histogram("fetcher_belvo_request_seconds")
	c.throttled = f.sum("fetcher_belvo_throttled_seconds_total")
	c.flushes = s.sum("sink_offset_commits_total")
	c.inserts, c.insertSeconds = s.histogram("sink_insert_seconds")
	return c
}

func (c costs) minus(o costs) costs {
	return costs{c.fetched - o.fetched, c.inserted - o.inserted, c.requests - o.requests, c.requestSeconds - o.requestSeconds,
		c.throttled - o.throttled, c.flushes - o.flushes, c.inserts - o.inserts, c.insertSeconds - o.insertSeconds}
}

// histogram returns the count and the sum of the histograms of name.
func (g gathered) histogram(name string) (count, sum float64) {
	for _, mf := range g {
		if mf.GetName() != name {
			continue
		}
		for _, m := range mf.GetMetric() {
			if h := m.GetHistogram(); h != nil {
				count += float64(h.GetSampleCount())
				sum += h.GetSampleSum()
			}
		}
	}
	return count, sum
}

// worstViewP99 is the highest p99 of the freshness view, which the issue's
// check reads.
func (p *Pipeline) worstViewP99(ctx context.Context) (float64, error) {
	conn, db, err := p.open()
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	var v float64
	err = conn.QueryRow(ctx, "SELECT max(p99_seconds) FROM "+table(db, "freshness")).Scan(&v)
	return v, err
}

// dropDatabase drops the database of dsn, which only this run used
// (FRESH_KEEP=1 keeps it to look into).
func dropDatabase(b *testing.B, dsn string) {
	if os.Getenv("FRESH_KEEP") != "" {
		b.Logf("kept %s", dsn)
		return
	}
	conn, db, err := Open(dsn)
	if err != nil {
		b.Logf("drop %s: %v", dsn, err)
		return
	}
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+schemas.QuoteIdent(db)); err != nil {
		b.Logf("drop %s: %v", db, err)
	}
}

func envFloat(b *testing.B, name string, def float64) float64 {
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v <= 0 {
		b.Fatalf("%s=%q: want a positive number", name, s)
	}
	return v
}
