// Package backoff is the one exponential backoff of the module: every retry
// loop (a role waiting for Kafka and the registry at start, the sink retrying
// ClickHouse, the producer retrying a batch, the Belvo client, the fetcher
// re-running a plan) takes its waits from here, and sleeps through Sleep.
package backoff

import (
	"context"
	"math"
	"time"
)

// Policy is an exponential backoff: First before the first retry, doubled
// before each next one, never more than Max (no cap when Max is 0).
type Policy struct {
	First, Max time.Duration
}

// Delay returns the wait before retry n (1-based): First × 2^(n-1), at most
// Max. It never overflows, however large n is.
func (p Policy) Delay(n int) time.Duration {
	d := p.First
	for i := 1; i < n && d > 0; i++ {
		if p.Max > 0 && d >= p.Max {
			break
		}
		if d > math.MaxInt64/2 {
			return math.MaxInt64
		}
		d *= 2
	}
	if p.Max > 0 {
		d = min(d, p.Max)
	}
	return d
}

// Clock is what a Backoff sleeps on: real time, or a test's fake clock.
type Clock interface {
	// Sleep waits d or until ctx ends, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

// Backoff is one retry loop's backoff: Next gives the policy's delays in
// turn, Wait sleeps the next one.
type Backoff struct {
	Policy
	Clock Clock // nil: real time

	retries int
}

// New returns a Backoff waiting first, doubled up to max, in real time.
func New(first, max time.Duration) *Backoff { return &Backoff{Policy: Policy{First: first, Max: max}} }

// Next returns the wait before the next retry and counts it.
func (b *Backoff) Next() time.Duration {
	b.retries++
	return b.Delay(b.retries)
}

// Wait sleeps the next delay, or until ctx ends (then it returns ctx.Err()).
func (b *Backoff) Wait(ctx context.Context) error { return b.Sleep(ctx, b.Next()) }

// Sleep waits d on the backoff's clock, or until ctx ends.
func (b *Backoff) Sleep(ctx context.Context, d time.Duration) error {
	if b.Clock != nil {
		return b.Clock.Sleep(ctx, d)
	}
	return Sleep(ctx, d)
}

// Reset starts the delays again from First, after a success.
func (b *Backoff) Reset() { b.retries = 0 }

// Sleep waits d or until ctx ends, returning ctx.Err() then: a retry loop
// neither spins nor outlives its context.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
