package broker

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newTestWatchdog(clock *fakeClock, lag *int64, lagErr *error) *Watchdog {
	return NewWatchdog(WatchdogConfig{
		Group: "g", Bound: time.Minute, Now: clock.Now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Lag: func(context.Context) (int64, error) { return *lag, *lagErr },
	})
}

// A consumer waiting on its reader with lag and no progress has the reader
// recreated after the bound, is not ready after twice the bound, shows the
// idle time in its metric, and is healthy again at its next progress.
func TestWatchdogRecreatesThenFailsReadiness(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	lag, lagErr := int64(5), error(nil)
	w := newTestWatchdog(clock, &lag, &lagErr)
	done := w.Fetching()
	defer done()
	ctx := context.Background()

	clock.Add(59 * time.Second)
	if w.check(ctx) || w.Ready() != nil {
		t.Fatal("acted before the bound")
	}
	clock.Add(time.Second)
	if !w.check(ctx) {
		t.Fatal("no reader restart after the bound")
	}
	if w.check(ctx) {
		t.Fatal("restarted twice within one bound")
	}
	if err := w.Ready(); err != nil {
		t.Fatalf("not ready right after the restart: %v", err)
	}
	clock.Add(time.Minute)
	if !w.check(ctx) {
		t.Fatal("no second restart after another bound")
	}
	err := w.Ready()
	if err == nil || !strings.Contains(err.Error(), "consumer group g stalled") {
		t.Fatalf("Ready() = %v, want a stall naming the group", err)
	}
	if got := stalledSeconds(t, w); got != 120 {
		t.Fatalf("belvo_consumer_stalled_seconds = %v, want 120", got)
	}
	w.Progress()
	if err := w.Ready(); err != nil {
		t.Fatalf("still not ready after progress: %v", err)
	}
	if got := stalledSeconds(t, w); got != 0 {
		t.Fatalf("stalled seconds after progress = %v, want 0", got)
	}
}

// A consumer held up elsewhere (a flush, a Belvo retry) keeps its reader,
// which would only cost a rebalance, but still turns not ready.
func TestWatchdogLeavesReaderOfBusyConsumer(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	lag, lagErr := int64(5), error(nil)
	w := newTestWatchdog(clock, &lag, &lagErr)
	ctx := context.Background()
	clock.Add(2 * time.Minute)
	if w.check(ctx) {
		t.Fatal("recreated the reader of a consumer not waiting on it")
	}
	if w.Ready() == nil {
		t.Fatal("ready after twice the bound without progress")
	}
}

// No lag is no stall, however long nothing happens; an unmeasurable lag
// is not taken for one either.
func TestWatchdogIgnoresIdleConsumer(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1_700_000_000, 0)}
	lag, lagErr := int64(0), error(nil)
	w := newTestWatchdog(clock, &lag, &lagErr)
	done := w.Fetching()
	defer done()
	ctx := context.Background()
	clock.Add(10 * time.Minute)
	if w.check(ctx) || w.Ready() != nil || w.Stalled() != 0 {
		t.Fatal("an idle consumer without lag was taken for stalled")
	}
	// Work arriving after a long idle time gets the whole bound.
	lag = 3
	clock.Add(30 * time.Second)
	if w.check(ctx) {
		t.Fatal("restarted 30s after work arrived")
	}
	lagErr = errors.New("broker down")
	clock.Add(5 * time.Minute)
	if w.check(ctx) || w.Stalled() != 0 {
		t.Fatal("acted on a lag it could not measure")
	}
}

func stalledSeconds(t *testing.T, w *Watchdog) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 1)
	w.Collect(ch)
	var m dto.Metric
	if err := (<-ch).Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetGauge().GetValue()
}
