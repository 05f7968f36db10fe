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
	n        int
	interval time.Duration
	clock    Clock

	mu    sync.Mutex
	slots []time.Time // ring of the last n admitted start times
	next  int         // index of the oldest slot
}

// NewLimiter returns a Limiter of n requests per interval on clock (nil
// means the real clock).
func NewLimiter(n int, interval time.Duration, clock Clock) *Limiter {
	if clock == nil {
		clock = realClock{}
	}
	return &Limiter{n: n, interval: interval, clock: clock, slots: make([]time.Time, 0, n)}
}

// Wait blocks until a request may start and returns the time it was
// admitted at, or ctx's error. Slots are handed out in call order, so a
// worker cannot be starved by others arriving later.
func (l *Limiter) Wait(ctx context.Context) (time.Time, error) {
	if err := ctx.Err(); err != nil {
		return time.Time{}, err
	}
	l.mu.Lock()
	now := l.clock.Now()
	at := now
	if len(l.slots) < l.n {
		l.slots = append(l.slots, at)
	} else {
		// The slot is reserved before sleeping: a later caller computes its
		// own time from this one, which keeps every window at n starts even
		// while several workers sleep at once. A reservation abandoned by a
		// cancelled context is simply wasted, which errs on the safe side.
		if earliest := l.slots[l.next].Add(l.interval); earliest.After(now) {
			at = earliest
		}
		l.slots[l.next] = at
		l.next = (l.next + 1) % l.n
	}
	l.mu.Unlock()
	if at.After(now) {
		if err := l.clock.SleepUntil(ctx, at); err != nil {
			return time.Time{}, err
		}
	}
	return at, nil
}
