package belvo

import (
	"context"
	"sync"
	"time"
)

// Limiter lets at most N requests start in any window of length Interval.
//
// Belvo counts requests per IP over a sliding 30-second window and answers
// 403 above 80. A token bucket (golang.org/x/time/rate) refills steadily and
// so admits burst+rate×window requests in a window: to stay under Belvo's
// count its burst must be tuned against its rate. A sliding-window log keeps
// the start times of the last N requests and admits the next one only when
// the oldest of them has left the window, which is exactly the property we
// need, for N (at most a few hundred) timestamps of memory.
//
// One Limiter is shared by every worker of a process: pass the same Client,
// or the same Limiter with WithLimiter to several Clients.
type Limiter struct {
	interval time.Duration
	clock    Clock

	mu      sync.Mutex
	n       int         // current limit; 0 admits nothing until SetLimit
	times   []time.Time // admitted start times, oldest first, at most max(n) kept
	keep    int         // how many times to keep: the largest limit ever set
	changed chan struct{}
}

// NewLimiter returns a Limiter of n requests per interval on clock (nil
// means the real clock). n may be 0: nothing is admitted until SetLimit.
func NewLimiter(n int, interval time.Duration, clock Clock) *Limiter {
	if clock == nil {
		clock = realClock{}
	}
	return &Limiter{n: n, keep: n, interval: interval, clock: clock, changed: make(chan struct{})}
}

// Limit is the current limit.
func (l *Limiter) Limit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.n
}

// SetLimit changes the limit for requests not admitted yet. What was
// admitted stays counted: after a decrease the next start waits until
// fewer than the new n started within the last interval, so no window holds
// more than the larger of the two limits. Raising a limit safely is the
// caller's business (see fetcher's share of the deployment budget).
func (l *Limiter) SetLimit(n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if n == l.n {
		return
	}
	l.n = max(n, 0)
	l.keep = max(l.keep, l.n)
	close(l.changed)
	l.changed = make(chan struct{})
}

// Wait blocks until a request may start and returns the time it was
// admitted at, or ctx's error. Slots are handed out in call order, so a
// worker cannot be starved by others arriving later.
func (l *Limiter) Wait(ctx context.Context) (time.Time, error) {
	for {
		if err := ctx.Err(); err != nil {
			return time.Time{}, err
		}
		l.mu.Lock()
		if l.n == 0 {
			changed := l.changed
			l.mu.Unlock()
			select {
			case <-ctx.Done():
				return time.Time{}, ctx.Err()
			case <-changed:
			}
			continue
		}
		now := l.clock.Now()
		at := now
		// A start is admitted once the n-th most recent one has left the
		// window. The time is reserved before sleeping: a later caller
		// computes its own from this one, which keeps every window at n
		// starts even while several workers sleep at once. A reservation
		// abandoned by a cancelled context is simply wasted, which errs on
		// the safe side.
		if k := len(l.times); k >= l.n {
			if earliest := l.times[k-l.n].Add(l.interval); earliest.After(now) {
				at = earliest
			}
		}
		if k := len(l.times); k > 0 && l.times[k-1].After(at) {
			at = l.times[k-1] // start times stay in order
		}
		l.times = append(l.times, at)
		if len(l.times) > 2*l.keep {
			l.times = append(l.times[:0], l.times[len(l.times)-l.keep:]...)
		}
		l.mu.Unlock()
		if at.After(now) {
			if err := l.clock.SleepUntil(ctx, at); err != nil {
				return time.Time{}, err
			}
		}
		return at, nil
	}
}
