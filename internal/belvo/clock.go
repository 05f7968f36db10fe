package belvo

import (
	"context"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
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
	return backoff.Sleep(ctx, time.Until(t))
}
