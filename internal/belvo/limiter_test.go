package belvo_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// maxInWindow is the largest number of times in any window [t, t+w).
func maxInWindow(times []time.Time, w time.Duration) int {
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	best, j := 0, 0
	for i := range times {
		for times[i].Sub(times[j]) >= w {
			j++
		}
		best = max(best, i-j+1)
	}
	return best
}

// TestLimiterNeverExceedsTheLimitAcrossWorkers pins the limiter's promise:
// with 8 workers asking at once, no window of the interval ever holds
// more than N admissions, and the limiter is not slower than it must be.
func TestLimiterNeverExceedsTheLimitAcrossWorkers(t *testing.T) {
	clk := newFakeClock()
	start := clk.Now()
	l := belvo.NewLimiter(5, time.Second, clk)
	var mu sync.Mutex
	var admitted []time.Time
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 10 {
				at, err := l.Wait(t.Context())
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				admitted = append(admitted, at)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if n := maxInWindow(admitted, time.Second); n != 5 {
		t.Fatalf("max %d admissions in a 1s window, want exactly 5", n)
	}
	// 80 requests at 5 per second: the last may start at 15s, not later.
	if last := slices.MaxFunc(admitted, func(a, b time.Time) int { return a.Compare(b) }); last.Sub(start) != 15*time.Second {
		t.Fatalf("last admission at +%s, want +15s", last.Sub(start))
	}
}

// TestClientRateIsBoundedOnTheWire pins the limiter in a real client with
// real time against the emulator: 16 requests by 4 workers at 4 per 100ms
// cannot take less than 300ms, and the emulator's own burst limit of 4
// per 100ms is never hit.
func TestClientRateIsBoundedOnTheWire(t *testing.T) {
	const n, per = 4, 100 * time.Millisecond
	e, srv := emu(t, emulator.Config{Links: 1, Records: 1})
	c := client(t, srv.URL, nil, func(cfg *belvo.Config) { cfg.RateLimit, cfg.RateInterval = n, per })
	begin := time.Now()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 4 {
				if err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil }); err != nil {
					t.Error(err)
				}
			}
		})
	}
	wg.Wait()
	if took := time.Since(begin); took < 3*per {
		t.Fatalf("16 requests took %s, less than the 300ms the limit allows", took)
	}
	if got := len(e.Requests()); got != 16 {
		t.Fatalf("%d requests reached the emulator, want 16", got)
	}
}

// A lowered limit holds from the next start on, counting what was already
// admitted: after 5 starts at a limit of 5, a limit of 2 admits the next
// one only a whole interval after the 4th, and no window then holds more
// than 5 (the old limit) or, from the change on, more than 2.
func TestLimiterLoweredCountsWhatWasAdmitted(t *testing.T) {
	clk := newFakeClock()
	start := clk.Now()
	l := belvo.NewLimiter(5, time.Second, clk)
	var admitted []time.Time
	for range 5 {
		at, err := l.Wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		admitted = append(admitted, at)
	}
	l.SetLimit(2)
	var after []time.Time
	for range 6 {
		at, err := l.Wait(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		after = append(after, at)
	}
	if got := after[0].Sub(start); got != time.Second {
		t.Fatalf("first start after lowering at +%s, want +1s", got)
	}
	if n := maxInWindow(append(admitted, after...), time.Second); n > 5 {
		t.Fatalf("%d starts in a window, more than the old limit", n)
	}
	if n := maxInWindow(after, time.Second); n != 2 {
		t.Fatalf("%d starts in a window after lowering to 2", n)
	}
}

// A limit of 0 admits nothing until it is raised.
func TestLimiterAtZeroWaitsForALimit(t *testing.T) {
	l := belvo.NewLimiter(0, time.Second, nil)
	got := make(chan error, 1)
	go func() { _, err := l.Wait(t.Context()); got <- err }()
	select {
	case err := <-got:
		t.Fatalf("admitted at limit 0 (err %v)", err)
	case <-time.After(50 * time.Millisecond):
	}
	l.SetLimit(1)
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
