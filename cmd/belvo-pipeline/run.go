package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/cmd/internal/pipeline"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// runArgs are the run command's own settings (the roles' are read from
// the environment by pipeline.New).
type runArgs struct {
	once, scenario bool
	load           int
	rate           float64
	settle         time.Duration
}

func (a *runArgs) bind(set *config.Set) {
	set.Bool(&a.once, "once", "RUN_ONCE", false, "exit after the summary (0 when every expected row is in ClickHouse)")
	set.Bool(&a.scenario, "scenario", "RUN_SCENARIO", true, "send the emulator's scenario: one webhook per row of the catalogue")
	set.Int(&a.load, "load", "RUN_LOAD", 300, "webhooks the emulator sends after the scenario")
	set.Float(&a.rate, "load-rate", "RUN_LOAD_RATE", 100, "webhooks per second of the load")
	set.Duration(&a.settle, "settle-timeout", "RUN_SETTLE_TIMEOUT", 5*time.Minute, "how long --once waits for the pipeline to finish the work")
}

// runAll runs every role in one process. With the bundled emulator (no
// BELVO_URL) it also sends the scenario and a load, shows progress, and
// prints a summary from ClickHouse once the pipeline settles; with --once it
// then exits, non-zero when a stage failed or an expected row is missing.
func runAll(ctx context.Context, env *runEnv, args []string) error {
	var a runArgs
	set := config.New("run")
	a.bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	once, scenario, load, rate, settle := a.once, a.scenario, a.load, a.rate, a.settle
	p, err := pipeline.New(env.getenv, env.log)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.Run(gctx) })
	var failed error
	g.Go(func() error {
		err := drive(gctx, env, p, scenario, load, rate, once, settle)
		if once {
			failed = err
			cancel() // the demo is over: stop every role
			return nil
		}
		return err
	})
	err = g.Wait()
	if failed != nil {
		return failed
	}
	if errors.Is(err, context.Canceled) {
		return nil
	}
	return err
}

// drive feeds the pipeline and reports on it.
func drive(ctx context.Context, env *runEnv, p *pipeline.Pipeline, scenario bool, load int, rate float64, once bool, settleFor time.Duration) error {
	ready, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err := p.WaitReady(ready)
	cancel()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.stdout, "pipeline ready: ingest http://%s/webhooks/belvo\n", p.Ingest.Addr())
	// The live line stops while the summary and the checks print, so they
	// are not interleaved with it, and comes back if the pipeline keeps running.
	pctx, stopProgress := context.WithCancel(ctx)
	progressDone := make(chan struct{})
	go func() { defer close(progressDone); progress(pctx, env, p) }()
	defer func() { stopProgress(); <-progressDone }()
	if p.Emulator == nil {
		fmt.Fprintln(env.stdout, "BELVO_URL is set: fetching from the real Belvo; webhooks come from Belvo. Ctrl-C stops.")
		<-ctx.Done()
		return nil
	}
	settle := func() (pipeline.Progress, error) {
		sctx, cancel := context.WithTimeout(ctx, settleFor)
		defer cancel()
		return p.WaitSettled(sctx, 3*time.Second)
	}
	check := func(what string, verify func(context.Context) (pipeline.Report, error)) error {
		rep, err := verify(ctx)
		if err != nil {
			return fmt.Errorf("verify the %s: %w", what, err)
		}
		bad := rep.Failed()
		fmt.Fprintf(env.stdout, "\n%s checks: %d passed, %d failed\n", what, len(rep.Checks)-len(bad), len(bad))
		for _, c := range bad {
			fmt.Fprintf(env.stdout, "  FAILED %s: want %d, got %d\n", c.Name, c.Want, c.Got)
		}
		if len(bad) > 0 {
			return fmt.Errorf("%d expected results of the %s missing from ClickHouse", len(bad), what)
		}
		return nil
	}
	release := func() {}
	var scenarioDs []emulator.Delivery
	if scenario {
		// Until the scenario's checks ran (see HoldMerges); never for the
		// rest of a session that keeps running, nor through a load.
		hold, err := p.HoldMerges(ctx)
		if err != nil {
			return err
		}
		release = sync.OnceFunc(hold)
		defer release()
		ds, err := p.Emulator.RunScenario(ctx)
		if err != nil {
			return fmt.Errorf("scenario: %w", err)
		}
		undelivered := 0
		for _, d := range ds {
			if !d.Delivered {
				undelivered++
			}
		}
		fmt.Fprintf(env.stdout, "\nscenario sent: %d webhooks (%d undelivered)\n", len(ds), undelivered)
		if undelivered > 0 {
			return fmt.Errorf("scenario: %d webhooks were not acknowledged by ingest", undelivered)
		}
		scenarioDs = ds
	}
	if scenario && load > 0 {
		// The scenario is checked before the load, and merges run again for
		// it: held through a long load, the resource tables' parts reach
		// parts_to_delay_insert, from which the engine delays every insert.
		if _, err := settle(); err != nil {
			return err
		}
		if err := check("scenario", func(ctx context.Context) (pipeline.Report, error) { return p.VerifyScenario(ctx, scenarioDs) }); err != nil {
			return err
		}
		release()
	}
	loadFrom := len(p.Emulator.Deliveries())
	if load > 0 {
		st, err := p.Emulator.RunLoad(ctx, load, rate)
		if err != nil {
			return fmt.Errorf("load: %w", err)
		}
		fmt.Fprintf(env.stdout, "\nload sent: %d webhooks in %v (%d failed)\n", st.Sent, st.Elapsed.Round(time.Millisecond), st.Failed)
	}
	pr, err := settle()
	if err != nil {
		return err
	}
	stopProgress()
	<-progressDone
	fmt.Fprintf(env.stdout, "\nsettled: %v\n", pr)
	if err := p.Summary(ctx, env.stdout); err != nil {
		return fmt.Errorf("summary: %w", err)
	}
	switch {
	case scenario && load > 0:
		ds := p.Emulator.Deliveries()[loadFrom:]
		if err := check("load", func(ctx context.Context) (pipeline.Report, error) { return p.VerifyLoad(ctx, ds) }); err != nil {
			return err
		}
	case scenario:
		if err := check("scenario", func(ctx context.Context) (pipeline.Report, error) { return p.VerifyScenario(ctx, scenarioDs) }); err != nil {
			return err
		}
	}
	release()
	if pr.DeadLetrs > 0 {
		return fmt.Errorf("%v records went to a dead-letter topic", pr.DeadLetrs)
	}
	if !once {
		fmt.Fprintln(env.stdout, "\nthe pipeline keeps running (post more webhooks, or Ctrl-C to stop everything)")
		progress(ctx, env, p)
	}
	return nil
}

// progress prints a live line: rewritten in place on a terminal, a line
// every five seconds otherwise (logs, CI).
func progress(ctx context.Context, env *runEnv, p *pipeline.Pipeline) {
	tty := false
	if f, ok := env.stdout.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	every := 5 * time.Second
	if tty {
		every = time.Second
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if tty {
				fmt.Fprintf(env.stdout, "\r%v ", p.Progress())
			} else {
				fmt.Fprintf(env.stdout, "%s %v\n", time.Now().Format("15:04:05"), p.Progress())
			}
		}
	}
}
