package belvo

import (
	"context"
	"time"
)

// Clock is the time source of retries and of the rate limiter. Tests pass
// a fake one so backoffs of seconds take no time.
type Clock interface {
	Now() time.Time
	// SleepUntil waits until t or until ctx ends, returning ctx.Err()
	// then. Waiting until an instant rather than for a duration lets a
	// fake clock jump straight to it, however many goroutines sleep.
	SleepUntil(ctx context.Context, t time.Time) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) SleepUntil(ctx context.Context, t time.Time) error {
	d := time.Until(t)
	if d <= 0 {
		return ctx.Err()
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-tm.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
