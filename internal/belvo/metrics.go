package belvo

import "time"

// Metrics receives what the client observes. Implementations must be safe
// for concurrent use; pass one with WithMetrics (a Prometheus adapter lives
// with the caller, which owns its registry).
type Metrics interface {
	// Request is called after every HTTP attempt; status is 0 on a
	// transport error.
	Request(method, path string, status int, elapsed time.Duration)
	// Retry is called before sleeping wait for another attempt.
	Retry(method, path string, attempt int, wait time.Duration)
	// Throttled is called when the rate limiter made a request wait.
	Throttled(wait time.Duration)
}

type nopMetrics struct{}

func (nopMetrics) Request(string, string, int, time.Duration) {}
func (nopMetrics) Retry(string, string, int, time.Duration)   {}
func (nopMetrics) Throttled(time.Duration)                    {}
