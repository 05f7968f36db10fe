package backoff

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

// fakeClock records the waits asked of it and returns at once, as if each
// had elapsed, unless the context ended first.
type fakeClock struct {
	slept []time.Duration
	now   time.Duration
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.slept = append(c.slept, d)
	c.now += d
	return nil
}

const ms = time.Millisecond

// The delays of every loop that uses the helper, as each had them before:
// the policy reproduces them wait for wait.
func TestDelaysOfEachLoop(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    Policy
		want []time.Duration
	}{
		{"role start (ingest, fetcher)", Policy{200 * ms, 5 * time.Second}, []time.Duration{200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 5 * time.Second, 5 * time.Second}},
		{"sink dependency, SINK_MAX_BACKOFF 10s", Policy{50 * ms, 10 * time.Second}, []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms, 800 * ms, 1600 * ms, 3200 * ms, 6400 * ms, 10 * time.Second, 10 * time.Second}},
		{"producer batch", Policy{10 * ms, 500 * ms}, []time.Duration{10 * ms, 20 * ms, 40 * ms, 80 * ms, 160 * ms, 320 * ms, 500 * ms, 500 * ms}},
		{"registry registration, uncapped", Policy{First: 50 * ms}, []time.Duration{50 * ms, 100 * ms, 200 * ms, 400 * ms}},
		{"Belvo client, base 3s", Policy{First: 3 * time.Second}, []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second}},
		{"fetcher plan, 5s up to 5m", Policy{5 * time.Second, 5 * time.Minute}, []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second, 40 * time.Second, 80 * time.Second, 160 * time.Second, 5 * time.Minute, 5 * time.Minute}},
	} {
		clock := &fakeClock{}
		b := &Backoff{Policy: tc.p, Clock: clock}
		for range tc.want {
			if err := b.Wait(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if !slices.Equal(clock.slept, tc.want) {
			t.Errorf("%s: waited %v, want %v", tc.name, clock.slept, tc.want)
		}
		for i, want := range tc.want {
			if got := tc.p.Delay(i + 1); got != want {
				t.Errorf("%s: Delay(%d) = %v, want %v", tc.name, i+1, got, want)
			}
		}
	}
}

func TestResetStartsAgainAndLargeCountsDoNotOverflow(t *testing.T) {
	clock := &fakeClock{}
	b := &Backoff{Policy: Policy{First: 100 * ms, Max: time.Second}, Clock: clock}
	_ = b.Wait(context.Background())
	_ = b.Wait(context.Background())
	b.Reset()
	_ = b.Wait(context.Background())
	if want := []time.Duration{100 * ms, 200 * ms, 100 * ms}; !slices.Equal(clock.slept, want) {
		t.Errorf("waited %v, want %v", clock.slept, want)
	}
	if d := (Policy{First: time.Second}).Delay(1000); d != math.MaxInt64 {
		t.Errorf("uncapped Delay(1000) = %v, want the largest duration", d)
	}
	if d := (Policy{First: time.Second, Max: time.Hour}).Delay(1 << 30); d != time.Hour {
		t.Errorf("capped Delay(2^30) = %v, want the cap", d)
	}
	if d := (Policy{}).Delay(5); d != 0 {
		t.Errorf("zero policy Delay = %v", d)
	}
}

// A wait ends with its context: the loop stops rather than sleeping on.
func TestWaitEndsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	clock := &fakeClock{}
	if err := (&Backoff{Policy: Policy{First: time.Hour}, Clock: clock}).Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("fake clock: %v, want context.Canceled", err)
	}
	// The real clock too: an hour's wait returns at once on a done context.
	done := make(chan error, 1)
	go func() { done <- New(time.Hour, 0).Wait(ctx) }()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("real clock: %v, want context.Canceled", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("Wait slept through a cancelled context")
	}
	if err := Sleep(context.Background(), 0); err != nil {
		t.Errorf("Sleep(0) = %v", err)
	}
}
