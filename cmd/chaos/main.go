// Command chaos runs the pipeline's roles as separate processes against the
// real local Kafka, schema registry and ClickHouse, sends the emulator's
// scenario and a load of thousands of webhooks through them while it
// injects faults (kill -9 of each role, a broker restart, a ClickHouse
// restart, a sink started on fresh topics), then compares every table with
// what the emulator serves and prints, per table and in total: expected
// rows, rows with FINAL, raw rows, duplicates after FINAL, missing and
// unexpected rows, and ingest's answers to the emulator's deliveries.
//
//	make chaos                                  # every fault, 3000 webhooks
//	go run ./cmd/chaos --faults safe --load 500 # leave Kafka and ClickHouse running
//
// It exits 1 on any loss, duplicate after FINAL or unexpected row, on a
// stage that stalls (work waiting, no progress for --stall), and when the
// run does not finish within --timeout. Every run has its own topic
// prefix, consumer groups and database, so runs never share webhook ids or
// state; they are deleted after a run that passed (--keep keeps them).
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/cmd/internal/pipeline"
	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/schemas"
)

// options are the driver's settings; each flag has a CHAOS_* variable.
type options struct {
	bin, scripts, logs string
	faults             []string
	load               int
	rate               float64
	links, records     int
	retry              time.Duration
	timeout            time.Duration
	stall, firstRows   time.Duration
	settle, down       time.Duration
	keep               bool
}

// parseOptions reads the flags and CHAOS_* variables; a bad one, or
// --help, prints the settings to usage.
func parseOptions(args []string, getenv func(string) string, usage io.Writer) (options, error) {
	var o options
	var faults string
	s := config.New("chaos")
	s.String(&o.bin, "bin", "CHAOS_BIN", "bin/belvo-pipeline", "the pipeline binary whose roles run as processes")
	s.String(&o.scripts, "scripts", "CHAOS_SCRIPTS", "scripts", "folder of kafka.sh and clickhouse.sh (their restart verb)")
	s.String(&o.logs, "logs", "CHAOS_LOGS", ".local/logs/chaos", "folder of each run's logs (a sub-folder per run)")
	s.String(&faults, "faults", "CHAOS_FAULTS", "all", "faults to inject, comma-separated: "+strings.Join(allFaults, ", ")+
		"; or all, safe (no Kafka or ClickHouse restart), kill-roles, restarts, none")
	s.Int(&o.load, "load", "CHAOS_LOAD", 3000, "webhooks the emulator sends after its scenario")
	s.Float(&o.rate, "load-rate", "CHAOS_LOAD_RATE", 20, "webhooks per second of the load")
	s.Int(&o.links, "links", "CHAOS_LINKS", 20, "links of the emulator (the load cycles over them)")
	s.Int(&o.records, "records", "CHAOS_RECORDS", 100, "records per link and resource")
	s.Duration(&o.retry, "retry-interval", "CHAOS_RETRY_INTERVAL", 5*time.Second, "step of the emulator's linear webhook retries (Belvo's policy, 5 retries; Belvo's own step is 1m)")
	s.Duration(&o.down, "down", "CHAOS_DOWN", 3*time.Second, "how long a role killed -9 stays down before it is started again")
	s.Duration(&o.timeout, "timeout", "CHAOS_TIMEOUT", 14*time.Minute, "the whole run, report included")
	s.Duration(&o.stall, "stall", "CHAOS_STALL", 90*time.Second, "a stage with work waiting and no progress for this long fails the run")
	s.Duration(&o.firstRows, "first-rows", "CHAOS_FIRST_ROWS", 60*time.Second, "the sink must load its first rows this soon after its fresh topics got messages")
	s.Duration(&o.settle, "settle-timeout", "CHAOS_SETTLE_TIMEOUT", 4*time.Minute, "how long the pipeline may take to finish the work after the load and the faults")
	s.Bool(&o.keep, "keep", "CHAOS_KEEP", false, "keep the run's topics and database after a run that passed (always kept after a failure)")
	rest, err := s.Parse(args, getenv)
	if err == nil && len(rest) > 0 {
		err = fmt.Errorf("unexpected arguments %q", rest)
	}
	if err != nil {
		fmt.Fprintln(usage, "usage: chaos [flags]   (every flag also reads its CHAOS_* variable)")
		s.Usage(usage)
		return o, err
	}
	if o.faults, err = parseFaults(faults); err != nil {
		return o, config.Invalid("CHAOS_FAULTS", "faults", "%v", err)
	}
	switch {
	case o.load < 0:
		return o, config.Invalid("CHAOS_LOAD", "load", "must not be negative, got %d", o.load)
	case o.rate <= 0:
		return o, config.Invalid("CHAOS_LOAD_RATE", "load-rate", "must be positive, got %g", o.rate)
	case o.down < 0:
		return o, config.Invalid("CHAOS_DOWN", "down", "must not be negative, got %v", o.down)
	case o.timeout <= 0:
		return o, config.Invalid("CHAOS_TIMEOUT", "timeout", "must be positive, got %v", o.timeout)
	case o.stall <= 0:
		return o, config.Invalid("CHAOS_STALL", "stall", "must be positive, got %v", o.stall)
	case o.firstRows <= 0:
		return o, config.Invalid("CHAOS_FIRST_ROWS", "first-rows", "must be positive, got %v", o.firstRows)
	case o.settle <= 0:
		return o, config.Invalid("CHAOS_SETTLE_TIMEOUT", "settle-timeout", "must be positive, got %v", o.settle)
	case o.retry <= 0:
		return o, config.Invalid("CHAOS_RETRY_INTERVAL", "retry-interval", "must be positive, got %v", o.retry)
	}
	return o, nil
}

func main() {
	o, err := parseOptions(os.Args[1:], os.Getenv, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		os.Exit(0)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "chaos:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, o, os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stdout, "\nchaos: FAILED:", err)
		os.Exit(1)
	}
}

// chaos is one run.
type chaos struct {
	o       options
	out     io.Writer
	getenv  func(string) string
	t0      time.Time
	prefix  string
	dsn, db string
	logDir  string
	brokers []string

	emu                    *emulator.Emulator
	ingest, fetcher, sink  *role
	watch                  *watch
	scenario               []emulator.Delivery
	load                   emulator.LoadStats
	faults                 []faultResult
	releaseMerges          func()
	figures                []figure
	verifyFailed, verified int
	failedChecks           []string
	disagree               int
	deadLetters            float64
}

func (c *chaos) say(format string, args ...any) {
	fmt.Fprintf(c.out, "%7.1fs  %s\n", time.Since(c.t0).Seconds(), fmt.Sprintf(format, args...))
}

// run does one chaos run and prints its report; the error says why it
// failed (loss, duplicates, a stall, a timeout).
func run(parent context.Context, o options, getenv func(string) string, out io.Writer) error {
	c := &chaos{o: o, out: out, getenv: getenv, t0: time.Now()}
	id := make([]byte, 3)
	_, _ = rand.Read(id)
	stamp := time.Now().UTC().Format("0102t150405") + "x" + hex.EncodeToString(id)
	c.prefix = "chaos" + stamp
	base := firstNonEmpty(getenv(migrate.DSNEnv), migrate.DefaultDSN)
	if _, _, err := migrate.ParseDSN(base); err != nil {
		return err
	}
	c.db = "chaos_" + stamp
	c.dsn = base[:strings.LastIndex(base, "/")+1] + c.db
	c.brokers = config.SplitList(firstNonEmpty(getenv("KAFKA_BROKERS"), "127.0.0.1:9092"))
	c.logDir = filepath.Join(o.logs, c.prefix)
	if err := os.MkdirAll(c.logDir, 0o755); err != nil {
		return err
	}
	if _, err := os.Stat(o.bin); err != nil {
		return config.Invalid("CHAOS_BIN", "bin", "%v (make build)", err)
	}

	ctx, cancel := context.WithTimeoutCause(parent, o.timeout, fmt.Errorf("the run did not finish within --timeout %v", o.timeout))
	defer cancel()
	ctx, fail := context.WithCancelCause(ctx)
	defer fail(nil)

	c.say("run %s: topics %s.*, database %s, logs %s", c.prefix, c.prefix, c.db, c.logDir)
	c.say("faults: %s; load %d webhooks at %g/s over %d links", strings.Join(orNone(o.faults), ", "), o.load, o.rate, o.links)
	err := c.drive(ctx, fail)
	if ctx.Err() != nil {
		// A stall or the timeout ended the run: that is the reason, not
		// the "context canceled" of whatever was waiting then.
		if cause := context.Cause(ctx); !errors.Is(cause, context.Canceled) {
			err = cause
		}
	}
	c.shutdown()
	// The report is printed whatever happened: after a failure the figures
	// say how far the pipeline got.
	rctx, rcancel := context.WithTimeout(context.WithoutCancel(parent), 2*time.Minute)
	defer rcancel()
	if c.figures == nil && c.emu != nil {
		if fs, ferr := c.measure(rctx); ferr == nil {
			c.figures = fs
		} else {
			c.say("comparing with ClickHouse: %v", ferr)
		}
	}
	verdict := c.report(err)
	if verdict == nil && !o.keep {
		c.cleanup(rctx)
	} else {
		fmt.Fprintf(out, "kept for a look: topics %s.*, consumer groups %s-fetcher and %s-sink, database %s, logs %s\n",
			c.prefix, c.prefix, c.prefix, c.db, c.logDir)
	}
	return verdict
}

// drive starts everything, sends the webhooks, injects the faults and
// waits for the pipeline to settle.
func (c *chaos) drive(ctx context.Context, fail context.CancelCauseFunc) error {
	o := c.o
	// The emulator runs in this process: it is Belvo, not a role, and what
	// it served and delivered is what ClickHouse must hold.
	ingestAddr, err := freePort()
	if err != nil {
		return err
	}
	emuLog, err := os.Create(filepath.Join(c.logDir, "emulator.log"))
	if err != nil {
		return err
	}
	defer emuLog.Close()
	c.emu, err = emulator.New(emulator.Config{
		Addr: "127.0.0.1:0", WebhookURL: "http://" + ingestAddr + "/webhooks/belvo",
		Seed: 1, Links: o.links, Records: o.records, RetryInterval: o.retry,
	}, slog.New(slog.NewJSONHandler(emuLog, nil)))
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	emuCtx, stopEmu := context.WithCancel(context.WithoutCancel(ctx))
	emuDone := make(chan struct{})
	go func() { defer close(emuDone); _ = c.emu.Serve(emuCtx, ln) }()
	defer func() { stopEmu(); <-emuDone }()

	if err := c.migrate(ctx); err != nil {
		return err
	}
	if c.releaseMerges, err = pipeline.HoldMerges(ctx, c.dsn); err != nil {
		return fmt.Errorf("hold merges: %w", err)
	}
	if err := c.roles(ingestAddr, "http://"+ln.Addr().String()); err != nil {
		return err
	}
	sinkStage := stage{role: c.sink,
		progress: func(m map[string]float64) float64 {
			return m["sink_rows_loaded_total"] + m["sink_records_skipped_total"] + m["sink_dead_letters_total"]
		},
		lag: func(m map[string]float64) float64 { return m["belvo_consumer_lag_messages"] + m["sink_pending_rows"] },
	}
	fetchStage := stage{role: c.fetcher,
		progress: func(m map[string]float64) float64 {
			return m["fetcher_events_total"] + m["fetcher_records_published_total"]
		},
		lag: func(m map[string]float64) float64 {
			return m["belvo_consumer_lag_messages"] + m["fetcher_events_in_flight"]
		},
	}
	c.watch = newWatch([]stage{fetchStage, sinkStage}, []*role{c.ingest, c.fetcher, c.sink}, o.stall, o.firstRows, c.say)

	if err := c.start(ctx); err != nil {
		return err
	}
	watchCtx, stopWatch := context.WithCancel(ctx)
	watchDone := make(chan struct{})
	go func() { defer close(watchDone); c.watch.run(watchCtx, time.Second, fail) }()
	defer func() { stopWatch(); <-watchDone }()

	c.scenario, err = c.emu.RunScenario(ctx)
	if err != nil {
		return fmt.Errorf("scenario: %w", err)
	}
	undelivered := 0
	for _, d := range c.scenario {
		if !d.Delivered {
			undelivered++
		}
	}
	c.say("scenario sent: %d webhooks, %d undelivered", len(c.scenario), undelivered)

	// The load ends with drive, however drive ends: its deliveries must
	// not outlive the roles they are sent to.
	loadCtx, stopLoad := context.WithCancel(ctx)
	loadDone := make(chan error, 1)
	loadStart := time.Now()
	var loadStats emulator.LoadStats
	go func() {
		var err error
		loadStats, err = c.emu.RunLoad(loadCtx, o.load, o.rate)
		loadDone <- err
	}()
	loadWaited := false
	defer func() {
		stopLoad()
		if !loadWaited {
			<-loadDone
		}
		c.load = loadStats
	}()
	c.say("load started: %d webhooks at %g/s", o.load, o.rate)
	loadTime := time.Duration(float64(o.load) / o.rate * float64(time.Second))
	at := schedule(o.faults, loadTime)
	i := 0
	for _, f := range o.faults {
		if f == faultFreshSink {
			continue
		}
		if err := backoff.Sleep(ctx, time.Until(loadStart.Add(at[i]))); err != nil {
			return err
		}
		i++
		if err := c.inject(ctx, f); err != nil {
			return err
		}
	}
	err = <-loadDone
	loadWaited = true
	if err != nil {
		return fmt.Errorf("load: %w", err)
	}
	c.say("load sent: %d webhooks in %v, %d delivered, %d undelivered", loadStats.Sent, loadStats.Elapsed.Round(time.Second), loadStats.Delivered, loadStats.Failed)
	return c.settle(ctx)
}

// migrate creates the run's database with the binary's own migrations.
func (c *chaos) migrate(ctx context.Context) error {
	log, err := os.Create(filepath.Join(c.logDir, "migrate.log"))
	if err != nil {
		return err
	}
	defer log.Close()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.o.bin, "migrate")
	cmd.Env = append(os.Environ(), migrate.DSNEnv+"="+c.dsn)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("migrate %s: %w (see %s)", c.db, err, log.Name())
	}
	c.say("database %s migrated", c.db)
	return nil
}

// roles prepares the three role processes with the run's prefix, groups,
// database and ports.
func (c *chaos) roles(ingestAddr, belvoURL string) error {
	fetchAddr, err := freePort()
	if err != nil {
		return err
	}
	sinkAddr, err := freePort()
	if err != nil {
		return err
	}
	env := append(os.Environ(),
		"TOPIC_PREFIX="+c.prefix,
		migrate.DSNEnv+"="+c.dsn,
		"INGEST_ADDR="+ingestAddr,
		"FETCHER_ADMIN_ADDR="+fetchAddr,
		"SINK_ADMIN_ADDR="+sinkAddr,
		"FETCHER_GROUP="+c.prefix+"-fetcher",
		"SINK_GROUP="+c.prefix+"-sink",
		"BELVO_URL="+belvoURL,
		"BELVO_SECRET_ID=emulator-id",
		"BELVO_SECRET_PASSWORD=emulator-password",
	)
	// Defaults of the run that the caller's environment may override: fewer
	// partitions than production (the broker is shared), and a Belvo rate
	// limit fit for the emulator, as `run` has.
	for k, v := range map[string]string{"TOPIC_PARTITIONS": "3", "BELVO_RATE_LIMIT": "500", "BELVO_RATE_INTERVAL": "1s"} {
		if c.getenv(k) == "" {
			env = append(env, k+"="+v)
		}
	}
	if c.ingest, err = newRole("ingest", c.o.bin, c.logDir, ingestAddr, env, c.say); err != nil {
		return err
	}
	if c.fetcher, err = newRole("fetcher", c.o.bin, c.logDir, fetchAddr, env, c.say); err != nil {
		return err
	}
	c.sink, err = newRole("sink", c.o.bin, c.logDir, sinkAddr, env, c.say)
	return err
}

// start starts the roles. With fresh-sink, the sink starts first, alone on
// topics nobody created yet, and is killed and started again while ingest
// and the fetcher are creating theirs.
func (c *chaos) start(ctx context.Context) error {
	all := []*role{c.ingest, c.fetcher, c.sink}
	fresh := contains(c.o.faults, faultFreshSink)
	if fresh {
		if err := c.sink.start(); err != nil {
			return err
		}
		if err := c.sink.waitReady(ctx, 2*time.Minute); err != nil {
			return err
		}
		all = all[:2]
	}
	for _, r := range all {
		if err := r.start(); err != nil {
			return err
		}
	}
	if fresh {
		t := time.Now()
		done := c.watch.faultWindow()
		if err := c.sink.kill(ctx, 0); err != nil {
			return err
		}
		res := faultResult{name: faultFreshSink, at: time.Since(c.t0),
			note: "sink started first on topics it created, then killed -9 and started again while ingest and the fetcher created theirs"}
		res.err = c.waitAllReady(ctx)
		res.took, res.notReady = time.Since(t), done()
		c.faults = append(c.faults, res)
		c.say("%s: %s", res.name, res.note)
		if res.err != nil {
			return res.err
		}
	}
	if err := c.waitAllReady(ctx); err != nil {
		return err
	}
	c.say("roles ready: ingest %s (pid %d), fetcher %s (pid %d), sink %s (pid %d)",
		c.ingest.admin, c.ingest.pid(), c.fetcher.admin, c.fetcher.pid(), c.sink.admin, c.sink.pid())
	return nil
}

func (c *chaos) waitAllReady(ctx context.Context) error {
	for _, r := range []*role{c.ingest, c.fetcher, c.sink} {
		if err := r.waitReady(ctx, 3*time.Minute); err != nil {
			return err
		}
	}
	return nil
}

// inject does one fault and waits until every role is ready again.
func (c *chaos) inject(ctx context.Context, name string) error {
	res := faultResult{name: name, at: time.Since(c.t0)}
	done := c.watch.faultWindow()
	t := time.Now()
	var err error
	switch name {
	case faultKillFetch, faultKillSink, faultKillIngest:
		r := map[string]*role{faultKillFetch: c.fetcher, faultKillSink: c.sink, faultKillIngest: c.ingest}[name]
		pid := r.pid()
		err = r.kill(ctx, c.o.down)
		res.note = fmt.Sprintf("kill -9 %s (pid %d), started again %v later (pid %d)", r.name, pid, c.o.down, r.pid())
	case faultKafka:
		var took time.Duration
		took, err = service(ctx, c.o.scripts, "kafka", c.logDir)
		res.note = fmt.Sprintf("scripts/kafka.sh restart took %v", took.Round(100*time.Millisecond))
	case faultClickHouse:
		var took time.Duration
		took, err = service(ctx, c.o.scripts, "clickhouse", c.logDir)
		res.note = fmt.Sprintf("scripts/clickhouse.sh restart took %v", took.Round(100*time.Millisecond))
		if err == nil {
			// A restarted server has forgotten SYSTEM STOP MERGES.
			c.releaseMerges()
			var herr error
			if c.releaseMerges, herr = pipeline.HoldMerges(ctx, c.dsn); herr != nil {
				c.releaseMerges = func() {}
				err = fmt.Errorf("hold merges after the restart: %w", herr)
			}
		}
	default:
		err = fmt.Errorf("no such fault %q", name)
	}
	if err == nil {
		err = c.waitAllReady(ctx)
	}
	res.took, res.notReady, res.err = time.Since(t), done(), err
	c.faults = append(c.faults, res)
	c.say("%s: %s; all roles ready %v after it began", name, res.note, res.took.Round(100*time.Millisecond))
	return err
}

// settle waits until the fetcher and the sink have no work left and their
// counters have stood still for a while, then compares ClickHouse with
// the emulator until it agrees or settle-timeout passes: a table may
// still be loading what a late retry of a webhook brought.
func (c *chaos) settle(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, c.o.settle)
	defer cancel()
	const quiet = 5 * time.Second
	var last float64 = -1
	since := time.Now()
	for {
		work, progress, err := c.remaining(ctx)
		switch {
		case err != nil || work > 0 || progress != last:
			last, since = progress, time.Now()
		case time.Since(since) >= quiet:
			fs, err := c.measure(ctx)
			if err != nil {
				c.say("comparing with ClickHouse: %v", err)
				break
			}
			c.figures = fs
			if total(fs).ok() {
				c.say("settled: ClickHouse holds what the emulator serves")
				return nil
			}
			t := total(fs)
			c.say("settled, but %d missing, %d duplicates after FINAL, %d unexpected; looking again", t.missing, t.dups, t.extra)
			since = time.Now()
		}
		select {
		case <-ctx.Done():
			if context.Cause(ctx) == context.DeadlineExceeded {
				if c.figures != nil {
					return fmt.Errorf("ClickHouse did not agree with the emulator within --settle-timeout %v", c.o.settle)
				}
				return fmt.Errorf("the pipeline did not finish the work within --settle-timeout %v", c.o.settle)
			}
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// remaining returns the work the fetcher and the sink have not done and
// the sum of their progress counters.
func (c *chaos) remaining(ctx context.Context) (work, progress float64, err error) {
	f, err := c.fetcher.metrics(ctx)
	if err != nil {
		return 0, 0, err
	}
	s, err := c.sink.metrics(ctx)
	if err != nil {
		return 0, 0, err
	}
	c.deadLetters = f["fetcher_dead_letters_total"] + s["sink_dead_letters_total"]
	work = f["belvo_consumer_lag_messages"] + f["fetcher_events_in_flight"] + s["belvo_consumer_lag_messages"] + s["sink_pending_rows"]
	progress = f["fetcher_events_total"] + f["fetcher_records_published_total"] + s["sink_rows_loaded_total"] + s["sink_records_skipped_total"]
	return work, progress, nil
}

// measure compares ClickHouse with the emulator (and runs the scenario's
// own checks, pipeline.VerifyDeliveries).
func (c *chaos) measure(ctx context.Context) ([]figure, error) {
	live := map[string]bool{}
	for _, l := range c.emu.Links() {
		live[l.ID] = true
	}
	exp, err := expect(c.emu, c.emu.Deliveries(), live)
	if err != nil {
		return nil, err
	}
	conn, db, err := pipeline.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	fs, err := measure(ctx, conn, db, exp)
	if err != nil {
		return nil, err
	}
	if c.disagree, err = mismatched(ctx, conn, db); err != nil {
		return nil, err
	}
	if len(c.scenario) > 0 {
		rep, err := pipeline.VerifyDeliveries(ctx, c.dsn, c.emu, c.scenario)
		if err != nil {
			return nil, fmt.Errorf("scenario checks: %w", err)
		}
		c.verified, c.verifyFailed = len(rep.Checks), len(rep.Failed())
		c.failedChecks = c.failedChecks[:0]
		for _, ch := range rep.Failed() {
			c.failedChecks = append(c.failedChecks, fmt.Sprintf("%s: want %d, got %d", ch.Name, ch.Want, ch.Got))
		}
	}
	return fs, nil
}

// shutdown stops the roles (SIGTERM, as a rollout would) and lets merges run.
func (c *chaos) shutdown() {
	for _, r := range []*role{c.ingest, c.fetcher, c.sink} {
		if r != nil {
			r.stop(45 * time.Second)
		}
	}
	if c.releaseMerges != nil {
		c.releaseMerges()
	}
}

// cleanup deletes the run's topics and database: the broker is shared and
// slows down under the partitions of many runs.
func (c *chaos) cleanup(ctx context.Context) {
	cl := broker.NewCluster(broker.ClusterConfig{Brokers: c.brokers, ClientID: "chaos"})
	layout, err := cl.TopicsWithPrefix(ctx, c.prefix+".")
	if err == nil && len(layout) > 0 {
		topics := slices.Collect(maps.Keys(layout))
		_, err = cl.Client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: topics})
	}
	if err != nil {
		fmt.Fprintf(c.out, "cleanup: topics %s.*: %v\n", c.prefix, err)
	}
	conn, _, err := pipeline.Open(c.dsn)
	if err == nil {
		err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+schemas.QuoteIdent(c.db))
		conn.Close()
	}
	if err != nil {
		fmt.Fprintf(c.out, "cleanup: database %s: %v\n", c.db, err)
	}
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func orNone(list []string) []string {
	if len(list) == 0 {
		return []string{"none"}
	}
	return list
}
