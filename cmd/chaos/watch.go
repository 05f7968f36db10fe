package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// stage is what the watch reads of a consuming role: how much work waits
// for it and a number that grows whenever it gets work done.
type stage struct {
	role *role
	// progress and lag read one scrape of the role's metrics.
	progress func(m map[string]float64) float64
	lag      func(m map[string]float64) float64
}

// stall follows one stage: a stage with work waiting (lag) whose progress
// has not moved for longer than the bound is stalled, whatever /readyz
// says.
type stall struct {
	last     float64
	moved    time.Time // when progress last changed, or lag was last 0
	lag      float64
	idleMax  time.Duration // longest time with lag and no progress
	observed bool
}

// observe takes one reading; ok is false when the role did not answer
// (its progress is then taken as unchanged: a dead process does no work).
// It returns how long the stage has had lag without progress.
func (s *stall) observe(now time.Time, progress, lag float64, ok bool) time.Duration {
	if !s.observed {
		s.observed, s.moved, s.last = true, now, progress
	}
	if ok {
		s.lag = lag
		if progress != s.last || lag == 0 {
			s.last, s.moved = progress, now
		}
	}
	if s.lag == 0 {
		s.moved = now
	}
	idle := now.Sub(s.moved)
	s.idleMax = max(s.idleMax, idle)
	return idle
}

// reset starts the clock again: a process was just (re)started.
func (s *stall) reset(now time.Time) { s.moved = now }

// watch polls the roles every tick: it detects stalls, a sink that loads
// nothing from fresh topics, and it records what /readyz answered.
type watch struct {
	stages    []stage
	all       []*role
	stallMax  time.Duration
	firstRows time.Duration
	say       func(string, ...any)

	mu        sync.Mutex
	stalls    map[string]*stall
	starts    map[string]time.Time // last process start seen per role
	published time.Time            // first work for the sink seen: records published, or its lag
	loaded    time.Time            // first row the sink loaded
	notReady  map[string]int       // /readyz samples other than 200 per role, during the current fault
	failure   error
	lastLag   map[string]float64
}

func newWatch(stages []stage, all []*role, stallMax, firstRows time.Duration, say func(string, ...any)) *watch {
	return &watch{stages: stages, all: all, stallMax: stallMax, firstRows: firstRows, say: say,
		stalls: map[string]*stall{}, starts: map[string]time.Time{}, notReady: map[string]int{}, lastLag: map[string]float64{}}
}

// run polls until ctx ends; on a stall it records the failure and calls
// fail, which should stop the run.
func (w *watch) run(ctx context.Context, tick time.Duration, fail func(error)) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := w.poll(ctx, time.Now()); err != nil {
			w.mu.Lock()
			if w.failure == nil {
				w.failure = err
			}
			w.mu.Unlock()
			fail(err)
			return
		}
	}
}

func (w *watch) poll(ctx context.Context, now time.Time) error {
	for _, r := range w.all {
		if code := r.readyz(ctx); code != http.StatusOK && ctx.Err() == nil {
			w.mu.Lock()
			w.notReady[r.name]++
			w.mu.Unlock()
		}
	}
	for _, st := range w.stages {
		name := st.role.name
		m, err := st.role.metrics(ctx)
		if ctx.Err() != nil {
			return nil
		}
		w.mu.Lock()
		s := w.stalls[name]
		if s == nil {
			s = &stall{}
			w.stalls[name] = s
		}
		if since := st.role.since(); !since.Equal(w.starts[name]) {
			w.starts[name] = since
			s.reset(now)
		}
		var idle time.Duration
		if err == nil {
			lag := st.lag(m)
			w.lastLag[name] = lag
			idle = s.observe(now, st.progress(m), lag, true)
			if w.published.IsZero() && (name == "fetcher" && m["fetcher_records_published_total"] > 0 || name == "sink" && lag > 0) {
				w.published = now
			}
			if name == "sink" && w.loaded.IsZero() && m["sink_rows_loaded_total"] > 0 {
				w.loaded = now
				if w.published.IsZero() {
					w.published = now
				}
			}
		} else {
			idle = s.observe(now, 0, 0, false)
		}
		published, loaded := w.published, w.loaded
		w.mu.Unlock()
		if name == "sink" && !published.IsZero() && loaded.IsZero() && now.Sub(published) > w.firstRows {
			return w.evidence(st.role, fmt.Errorf("the sink loaded no row in the %v since its fresh topics got their first messages (lag %.0f)", w.firstRows, s.lag))
		}
		if idle > w.stallMax {
			return w.evidence(st.role, fmt.Errorf("%s stalled: %.0f messages waiting and no progress for %v", name, s.lag, idle.Round(time.Second)))
		}
	}
	return nil
}

// evidence adds what the role's log says about its consumer group: the
// known stall logs `[6] Not Leader For Partition` once a second.
func (w *watch) evidence(r *role, err error) error {
	lines, n := r.logLines("Not Leader For Partition", 3)
	msg := fmt.Sprintf("%v; log %s", err, r.logf.Name())
	if n > 0 {
		msg += fmt.Sprintf("; %d lines since its start say \"Not Leader For Partition\", the last:\n    %s", n, strings.Join(lines, "\n    "))
	}
	return fmt.Errorf("%s", msg)
}

// faultWindow starts counting /readyz answers other than 200 afresh and
// returns a function that reports them for the window.
func (w *watch) faultWindow() func() map[string]int {
	w.mu.Lock()
	w.notReady = map[string]int{}
	w.mu.Unlock()
	return func() map[string]int {
		w.mu.Lock()
		defer w.mu.Unlock()
		out := w.notReady
		w.notReady = map[string]int{}
		return out
	}
}

// idleMax returns each stage's longest time with lag and no progress.
func (w *watch) idleMax() map[string]time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := map[string]time.Duration{}
	for n, s := range w.stalls {
		out[n] = s.idleMax
	}
	return out
}

// firstRowsAfter is how long the sink took to load its first row after
// its topics got their first messages; ok is false until both happened.
func (w *watch) firstRowsAfter() (time.Duration, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.published.IsZero() || w.loaded.IsZero() {
		return 0, false
	}
	return w.loaded.Sub(w.published), true
}
