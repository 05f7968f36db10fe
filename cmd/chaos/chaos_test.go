package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/cmd/internal/pipeline"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

func TestParseFaults(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []string
	}{
		{"all", allFaults},
		{"safe", []string{faultFreshSink, faultKillFetch, faultKillSink, faultKillIngest}},
		// Injection order, not the order asked, and no repeats.
		{"restart-kafka, kill-sink,kill-sink", []string{faultKillSink, faultKafka}},
		{"kill-roles,restart-clickhouse", []string{faultKillFetch, faultKillSink, faultKillIngest, faultClickHouse}},
		{"none", nil},
		{"", nil},
	} {
		got, err := parseFaults(c.in)
		if err != nil || !slices.Equal(got, c.want) {
			t.Errorf("parseFaults(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	if _, err := parseFaults("kill-kafka"); err == nil || !strings.Contains(err.Error(), "kill-kafka") {
		t.Errorf("an unknown fault was taken: %v", err)
	}
	_, err := parseOptions([]string{"--faults", "safe,oops"}, func(string) string { return "" }, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "CHAOS_FAULTS") {
		t.Errorf("a bad --faults is not reported by its variable: %v", err)
	}
	o, err := parseOptions(nil, env{"CHAOS_LOAD": "40", "CHAOS_FAULTS": "kill-sink"}.get, io.Discard)
	if err != nil || o.load != 40 || !slices.Equal(o.faults, []string{faultKillSink}) {
		t.Errorf("environment not applied: %+v, %v", o, err)
	}
}

type env map[string]string

func (e env) get(k string) string { return e[k] }

func TestScheduleSpreadsFaultsOverTheLoad(t *testing.T) {
	at := schedule(allFaults, 60*time.Second)
	// fresh-sink happens at the start, the other five within the load.
	want := []time.Duration{10 * time.Second, 20 * time.Second, 30 * time.Second, 40 * time.Second, 50 * time.Second}
	if !slices.Equal(at, want) {
		t.Fatalf("schedule = %v, want %v", at, want)
	}
}

func TestStallNeedsWorkWaitingAndNoProgress(t *testing.T) {
	var s stall
	t0 := time.Unix(1000, 0)
	s.observe(t0, 10, 5, true)
	if idle := s.observe(t0.Add(30*time.Second), 10, 5, true); idle != 30*time.Second {
		t.Fatalf("lag 5 and no progress for 30s: idle %v", idle)
	}
	// A role that does not answer makes no progress either.
	if idle := s.observe(t0.Add(40*time.Second), 0, 0, false); idle != 40*time.Second {
		t.Fatalf("unanswered scrape: idle %v, want 40s", idle)
	}
	if idle := s.observe(t0.Add(41*time.Second), 11, 5, true); idle != 0 {
		t.Fatalf("progress must restart the clock: idle %v", idle)
	}
	if idle := s.observe(t0.Add(100*time.Second), 11, 0, true); idle != 0 {
		t.Fatalf("no work waiting is not a stall: idle %v", idle)
	}
	if s.idleMax != 40*time.Second {
		t.Fatalf("idleMax = %v, want 40s", s.idleMax)
	}
}

func TestParseMetricsSumsEverySeries(t *testing.T) {
	text := `# HELP belvo_consumer_lag_messages lag
# TYPE belvo_consumer_lag_messages gauge
belvo_consumer_lag_messages{group="g",topic="a b}c"} 3
belvo_consumer_lag_messages{group="g",topic="x"} 4
sink_rows_loaded_total{table="t"} 1.5e+06
sink_pending_rows 0
sink_insert_seconds_bucket{table="t",le="+Inf"} 7
`
	m, err := parseMetrics(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if m["belvo_consumer_lag_messages"] != 7 || m["sink_rows_loaded_total"] != 1.5e6 || m["sink_insert_seconds_bucket"] != 7 {
		t.Fatalf("parsed %v", m)
	}
	if _, err := parseMetrics(strings.NewReader("broken{le=\"1\" 3\n")); err == nil {
		t.Fatal("unterminated labels were taken")
	}
}

// receiver is ingest as the emulator sees it: 202, except 503 for the
// webhooks refuse picks.
func receiver(t *testing.T, refuse func(ev emulator.Event) bool) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var ev emulator.Event
		_ = json.NewDecoder(r.Body).Decode(&ev)
		if refuse(ev) {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/webhooks/belvo"
}

// TestExpectFollowsWhatTheEmulatorServes runs the scenario and a load
// through an emulator whose receiver refuses one webhook for good, and
// checks the expectation table by table against the emulator's own data.
func TestExpectFollowsWhatTheEmulatorServes(t *testing.T) {
	// One webhook of the load is refused for good: Belvo gives up on it.
	var refused atomic.Value
	var loading atomic.Bool
	hook := receiver(t, func(ev emulator.Event) bool {
		if !loading.Load() || ev.WebhookType != "OWNERS" {
			return false
		}
		refused.CompareAndSwap(nil, ev.WebhookID)
		return refused.Load() == ev.WebhookID
	})
	emu, err := emulator.New(emulator.Config{WebhookURL: hook, Links: 4, Records: 12, RetryInterval: time.Millisecond, DeliveryTimeout: time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	scenario, err := emu.RunScenario(ctx)
	if err != nil {
		t.Fatal(err)
	}
	loading.Store(true)
	if _, err := emu.RunLoad(ctx, 120, 10000); err != nil {
		t.Fatal(err)
	}
	ds := emu.Deliveries()
	live := map[string]bool{}
	for _, l := range emu.Links() {
		live[l.ID] = true
	}
	exp, err := expect(emu, ds, live)
	if err != nil {
		t.Fatal(err)
	}
	sc := pipeline.Classify(scenario)
	if sc.DataLink == "" || sc.DeletedLink == "" || live[sc.DeletedLink] {
		t.Fatalf("scenario links: %+v", sc)
	}

	// Every acknowledged webhook has its audit row; the refused one may.
	id, _ := refused.Load().(string)
	if id == "" {
		t.Fatal("the receiver refused nothing: the test proves less than it says")
	}
	delivered := pipeline.Classify(ds)
	if w := exp[tableWebhooks]; len(w.want) != len(delivered.WebhookIDs) || w.want[id] || !w.may[id] {
		t.Fatalf("webhook_events: want %d (refused one in it: %v, may: %v), delivered %d", len(w.want), w.want[id], w.may[id], len(delivered.WebhookIDs))
	}
	// The scenario's link holds exactly what the emulator serves for it,
	// in every resource (historical updates select all of it).
	ids := idReader{conv: map[string]*records.Converter{}}
	for _, r := range schemas.Resources {
		recs, err := emu.Records(r.Name, url.Values{"link": {sc.DataLink}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, raw := range recs {
			id, err := ids.id(r.Name, sc.DataLink, raw)
			if err != nil {
				t.Fatal(err)
			}
			want[sc.DataLink+"/"+id] = true
		}
		got := map[string]bool{}
		for k := range exp[r.Name].want {
			if strings.HasPrefix(k, sc.DataLink+"/") {
				got[k] = true
			}
			if strings.HasPrefix(k, sc.DeletedLink+"/") {
				t.Errorf("%s: the deleted link is expected to keep %s", r.Name, k)
			}
		}
		if len(want) == 0 || fmt.Sprint(sortedKeys(got)) != fmt.Sprint(sortedKeys(want)) {
			t.Errorf("%s of the scenario's link: expected %d rows, the emulator serves %d", r.Name, len(got), len(want))
		}
	}
	if n := len(exp["error_events"].want); n != len(sc.ErrorIDs) || n == 0 {
		t.Errorf("error_events: %d expected, the scenario sent %d", n, len(sc.ErrorIDs))
	}
	if n := len(exp["link_events"].want); n != len(sc.LinkIDs) {
		t.Errorf("link_events: %d expected, the scenario sent %d", n, len(sc.LinkIDs))
	}
	if exp[tableStatus].expected() != 1 {
		t.Errorf("institution_status: %d expected", exp[tableStatus].expected())
	}
	// A reconciliation per delivered event that announced a count, on a
	// live link; the load's events all do.
	if n := len(exp["reconciliations"].want); n < 120-1 {
		t.Errorf("reconciliations: %d expected for a load of 120", n)
	}
}

// TestMeasureFindsMissingDuplicateAndUnexpectedRows loads rows by hand
// into a migrated database and checks each column of the figures can
// report a problem.
func TestMeasureFindsMissingDuplicateAndUnexpectedRows(t *testing.T) {
	dsn := testenv.ClickHouse(t)
	db := "chaos_" + strings.TrimPrefix(testenv.Prefix(t), "test")
	dsn = dsn[:strings.LastIndex(dsn, "/")+1] + db
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	m, err := migrate.New(migrate.Config{DSN: dsn, Timeout: time.Minute}, testenv.Logger(t, 100))
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Run(ctx); err != nil {
		t.Fatal(err)
	}
	conn, _, err := pipeline.Open(dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+schemas.QuoteIdent(db)); err != nil {
			t.Logf("drop %s: %v", db, err)
		}
		conn.Close()
	})
	tx := schemas.QuoteIdent(db) + ".transactions"
	// One insert per row: the engine collapses versions of a key within
	// one inserted block (optimize_on_insert), as it does the sink's.
	// a: two versions, one row with FINAL; b: nobody asked for it;
	// d: deleted by its later version, gone with FINAL.
	for _, v := range []string{"('l', 'a', 1, 0)", "('l', 'a', 2, 0)", "('l', 'b', 1, 0)", "('l', 'd', 1, 0)", "('l', 'd', 2, 1)"} {
		if err := conn.Exec(ctx, "INSERT INTO "+tx+" (link_id, id, version, is_deleted) VALUES "+v); err != nil {
			t.Fatal(err)
		}
	}
	for _, v := range []string{"('w1', 1)", "('w1', 2)"} {
		if err := conn.Exec(ctx, "INSERT INTO "+schemas.QuoteIdent(db)+".webhook_events (webhook_id, version) VALUES "+v); err != nil {
			t.Fatal(err)
		}
	}
	exp := map[string]*expectation{tableWebhooks: newExpectation(), tableStatus: {counts: true, count: 1}, "transactions": newExpectation()}
	exp["transactions"].add("l/a", true)
	exp["transactions"].add("l/c", true)
	exp["transactions"].add("l/d", false)
	exp[tableWebhooks].add("w1", true)
	fs, err := measure(ctx, conn, db, exp)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]figure{}
	for _, f := range fs {
		got[f.table] = f
	}
	want := map[string]figure{
		"transactions":    {table: "transactions", expected: 2, final: 2, raw: 5, missing: 1, extra: 1},
		tableWebhooks:     {table: tableWebhooks, expected: 1, final: 1, raw: 2},
		tableStatus:       {table: tableStatus, expected: 1, missing: 1},
		"reconciliations": {table: "reconciliations"},
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: got %+v, want %+v", name, got[name], w)
		}
	}
	if tot := total(fs); tot.ok() || tot.missing != 2 || tot.extra != 1 {
		t.Errorf("total %+v", tot)
	}
	var out strings.Builder
	printFigures(&out, fs)
	if !strings.Contains(out.String(), "dup after FINAL") || !strings.Contains(out.String(), "total") {
		t.Errorf("printed:\n%s", out.String())
	}
}

// adminServer serves /readyz and /metrics with the numbers of *lag and
// *progress.
func adminServer(t *testing.T, lag, progress *atomic.Int64) string {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			fmt.Fprintf(w, "belvo_consumer_lag_messages{group=\"g\",topic=\"t\"} %d\nsink_rows_loaded_total{table=\"x\"} %d\nsink_pending_rows 0\n", lag.Load(), progress.Load())
			return
		}
		io.WriteString(w, "ready\n")
	}))
	t.Cleanup(srv.Close)
	return strings.TrimPrefix(srv.URL, "http://")
}

func TestWatchFailsAStalledSinkWithItsLogEvidence(t *testing.T) {
	var lag, progress atomic.Int64
	dir := t.TempDir()
	r, err := newRole("sink", "/bin/false", dir, adminServer(t, &lag, &progress), nil, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer r.logf.Close()
	for range 5 {
		fmt.Fprintln(r.logf, `{"level":"WARN","msg":"kafka reader: group generation failed, the reader retries","err":"[6] Not Leader For Partition: the client attempted to send messages to a replica that is not the leader"}`)
	}
	st := stage{role: r,
		progress: func(m map[string]float64) float64 { return m["sink_rows_loaded_total"] },
		lag:      func(m map[string]float64) float64 { return m["belvo_consumer_lag_messages"] },
	}
	w := newWatch([]stage{st}, []*role{r}, 60*time.Second, 45*time.Second, t.Logf)
	ctx := context.Background()
	t0 := time.Unix(1000, 0)

	// Rows loaded, then work arrives and nothing moves for 61 s.
	progress.Store(10)
	if err := w.poll(ctx, t0); err != nil {
		t.Fatal(err)
	}
	lag.Store(500)
	for _, s := range []time.Duration{10, 30, 59} {
		if err := w.poll(ctx, t0.Add(s*time.Second)); err != nil {
			t.Fatalf("%ds: %v", s, err)
		}
	}
	err = w.poll(ctx, t0.Add(61*time.Second))
	if err == nil {
		t.Fatal("a sink with 500 messages waiting and no progress for 61s is not a stall")
	}
	for _, want := range []string{"sink stalled", "500 messages waiting", "5 lines", "Not Leader For Partition", filepath.Join(dir, "sink.log")} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the failure does not say %q: %v", want, err)
		}
	}
}

func TestWatchFailsASinkThatNeverLoadsFromFreshTopics(t *testing.T) {
	var lag, progress atomic.Int64
	r, err := newRole("sink", "/bin/false", t.TempDir(), adminServer(t, &lag, &progress), nil, t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer r.logf.Close()
	st := stage{role: r,
		progress: func(m map[string]float64) float64 { return m["sink_rows_loaded_total"] },
		lag:      func(m map[string]float64) float64 { return m["belvo_consumer_lag_messages"] },
	}
	// The stall bound is long: only the first-rows bound can catch it.
	w := newWatch([]stage{st}, []*role{r}, time.Hour, 45*time.Second, t.Logf)
	t0 := time.Unix(1000, 0)
	lag.Store(3)
	if err := w.poll(context.Background(), t0); err != nil {
		t.Fatal(err)
	}
	err = w.poll(context.Background(), t0.Add(46*time.Second))
	if err == nil || !strings.Contains(err.Error(), "loaded no row") {
		t.Fatalf("a sink that loads nothing from fresh topics for 46s: %v", err)
	}
}

// TestRoleIsStartedAgainAfterKillAndAfterExitingByItself uses a shell
// script as the binary: it runs until killed, or exits at once when told.
func TestRoleIsStartedAgainAfterKillAndAfterExitingByItself(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "role.sh")
	flag := filepath.Join(dir, "exit-now")
	script := "#!/bin/sh\nif [ -e " + flag + " ]; then rm -f " + flag + "; exit 3; fi\nexec sleep 300\n"
	if err := os.WriteFile(bin, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln.Close()
	r, err := newRole("fetcher", bin, dir, ln.Addr().String(), os.Environ(), t.Logf)
	if err != nil {
		t.Fatal(err)
	}
	defer r.stop(5 * time.Second)
	if err := r.start(); err != nil {
		t.Fatal(err)
	}
	first := r.pid()
	if err := os.WriteFile(flag, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := r.kill(ctx, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	// The new process exits by itself (the flag); the supervisor counts it
	// and starts another, which stays up.
	testenv.Eventually(t, 20*time.Second, "a restart after the role's own exit", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return len(r.unplanned) == 1 && r.starts == 3
	})
	testenv.Eventually(t, 10*time.Second, "the third process running", func() bool { return r.pid() != 0 })
	if r.pid() == first {
		t.Fatalf("still pid %d after a kill", first)
	}
	r.mu.Lock()
	what := r.unplanned[0]
	r.mu.Unlock()
	if !strings.Contains(what, "fetcher exited by itself") || !strings.Contains(what, "exit status 3") {
		t.Errorf("unplanned exit recorded as %q", what)
	}
	// The log is read from the running process's start on: its banner is
	// there, the earlier processes' are not.
	if _, n := r.logLines("chaos: fetcher start #3", 1); n != 1 {
		t.Errorf("the running process's banner found %d times", n)
	}
	if _, n := r.logLines("chaos: fetcher start #2", 1); n != 0 {
		t.Errorf("logLines read before the running process's start")
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// A restart the project's script refuses (a server another checkout
// started) fails the fault with the script's own reason.
func TestServiceRestartSaysWhyTheScriptRefused(t *testing.T) {
	dir := t.TempDir()
	script := "#!/bin/sh\n[ \"$1\" = restart ] || exit 2\necho 'kafka: stopping' \necho 'kafka: ERROR: no broker of this checkout is running' >&2\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "kafka.sh"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := service(context.Background(), dir, "kafka", dir)
	if err == nil || !strings.Contains(err.Error(), "no broker of this checkout is running") || !strings.Contains(err.Error(), "--faults safe") {
		t.Fatalf("refused restart reported as %v", err)
	}
	log, _ := os.ReadFile(filepath.Join(dir, "services.log"))
	if !strings.Contains(string(log), "kafka: stopping") {
		t.Errorf("services.log lacks the script's output:\n%s", log)
	}
}
