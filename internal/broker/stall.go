package broker

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Watchdog notices a consumer that has work waiting in Kafka and makes no
// progress. kafka-go's group Reader heals most failures by itself and hides
// the rest behind retries, so a consumer can sit with lag for minutes while
// its process looks healthy; the watchdog turns that into a reader
// recreated after Bound, then a failing readiness check and a metric an
// alert can use.
//
// Progress is whatever the stage counts as work done: a message read, an
// offset committed, a page fetched. Lag is the group's lag as the broker
// sees it (LagCollector.Lag), measured every Bound/6.
type Watchdog struct {
	cfg WatchdogConfig

	// Progress and Fetching come with every message: they touch atomics
	// only, and take mu only when a stall is to be reported over.
	last     atomic.Int64 // Unix nanoseconds of the last progress
	fetching atomic.Int32 // callers inside their reader's FetchMessage
	stalled  atomic.Bool  // restarts > 0 || stuck
	done     func()       // Fetching's, made once

	mu       sync.Mutex
	lag      int64 // as last measured
	lagErr   error // of the last measurement
	restarts int   // of the reader during the current stall
	stuck    bool  // no progress for twice the bound: not ready

	desc *prometheus.Desc
}

// WatchdogConfig configures a Watchdog.
type WatchdogConfig struct {
	Group string        // for the metric and the logs
	Bound time.Duration // how long lag without progress is tolerated
	// Lag returns the group's total lag; an error skips the check (a
	// broker that cannot answer is already visible elsewhere).
	Lag func(context.Context) (int64, error)
	Log *slog.Logger
	Now func() time.Time // nil: time.Now
}

// NewWatchdog returns a watchdog that counts its start as progress: a
// consumer is given Bound to join its group.
func NewWatchdog(cfg WatchdogConfig) *Watchdog {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	w := &Watchdog{
		cfg: cfg,
		desc: prometheus.NewDesc("belvo_consumer_stalled_seconds",
			"Seconds since the consumer group last made progress while it has lag (0 when it has none). Above the stall bound the reader has been recreated; the alert fires on it.",
			nil, prometheus.Labels{"group": cfg.Group}),
	}
	w.last.Store(cfg.Now().UnixNano())
	w.done = func() { w.fetching.Add(-1) }
	return w
}

// idle is the time since the last progress.
func (w *Watchdog) idle() time.Duration {
	return w.cfg.Now().Sub(time.Unix(0, w.last.Load()))
}

// Progress records work done now. It is cheap enough for every message.
func (w *Watchdog) Progress() {
	w.last.Store(w.cfg.Now().UnixNano())
	if !w.stalled.Load() {
		return
	}
	w.mu.Lock()
	if w.restarts > 0 || w.stuck {
		w.cfg.Log.Info("consumer progressing again", "group", w.cfg.Group, "reader_restarts", w.restarts)
		w.restarts, w.stuck = 0, false
	}
	w.stalled.Store(false)
	w.mu.Unlock()
}

// Fetching marks the caller as waiting on its reader until the returned
// function is called. Only a consumer waiting on its reader has its reader
// recreated: one held up by ClickHouse, Belvo or its own backlog would
// gain nothing from re-joining the group but a rebalance.
func (w *Watchdog) Fetching() (done func()) {
	w.fetching.Add(1)
	return w.done
}

// Run checks every Bound/6 until ctx ends. Each time the consumer has had
// lag and no progress for a further Bound while it waits on its reader,
// restart is called; it should recreate the consumer's reader (re-joining
// the group). From twice Bound without progress on, whatever the cause,
// Ready fails.
func (w *Watchdog) Run(ctx context.Context, restart func()) {
	t := time.NewTicker(max(w.cfg.Bound/6, 10*time.Millisecond))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if w.check(ctx) {
			restart()
		}
	}
}

// check measures the lag and reports whether the reader should be
// recreated now.
func (w *Watchdog) check(ctx context.Context) bool {
	mctx, cancel := context.WithTimeout(ctx, max(w.cfg.Bound/6, 5*time.Second))
	lag, err := w.cfg.Lag(mctx)
	cancel()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lag, w.lagErr = lag, err
	if err != nil {
		return false
	}
	idle := w.idle()
	if lag <= 0 {
		// Nothing to do is not a stall; the clock restarts so that work
		// arriving later gets the whole bound.
		w.last.Store(w.cfg.Now().UnixNano())
		w.restarts, w.stuck = 0, false
		w.stalled.Store(false)
		return false
	}
	if idle >= 2*w.cfg.Bound && !w.stuck {
		w.stuck = true
		w.stalled.Store(true)
		w.cfg.Log.Error("consumer stalled: lag and no progress; not ready",
			"group", w.cfg.Group, "lag", lag, "idle", idle.Round(time.Second).String(), "reader_restarts", w.restarts)
	}
	if w.fetching.Load() == 0 || idle < time.Duration(w.restarts+1)*w.cfg.Bound {
		return false
	}
	w.cfg.Log.Warn("consumer stalled: recreating its reader",
		"group", w.cfg.Group, "lag", lag, "idle", idle.Round(time.Second).String())
	w.restarts++
	w.stalled.Store(true)
	return true
}

// Ready fails once the consumer has had lag and no progress for twice the
// bound.
func (w *Watchdog) Ready() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.stuck {
		return nil
	}
	return fmt.Errorf("consumer group %s stalled: lag %d and no progress for %s (reader recreated %d times)",
		w.cfg.Group, w.lag, w.idle().Round(time.Second), w.restarts)
}

// Stalled is how long the consumer has had lag without progress, as of
// the last lag measurement; 0 when it had no lag.
func (w *Watchdog) Stalled() time.Duration {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lag <= 0 || w.lagErr != nil {
		return 0
	}
	return w.idle()
}

func (w *Watchdog) Describe(ch chan<- *prometheus.Desc) { ch <- w.desc }

func (w *Watchdog) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(w.desc, prometheus.GaugeValue, w.Stalled().Seconds())
}

// TotalLag sums a LagCollector's per-topic lag, for WatchdogConfig.Lag.
func TotalLag(l *LagCollector) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		byTopic, err := l.Lag(ctx)
		var n int64
		for _, v := range byTopic {
			n += v
		}
		return n, err
	}
}
