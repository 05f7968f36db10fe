package belvo

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// maxRetryAfter caps a server's Retry-After so a bogus header cannot park a
// worker for hours; the caller's context still bounds everything.
const maxRetryAfter = 5 * time.Minute

// retryable is the one place that decides whether a failed attempt is tried
// again. It follows Belvo's published guidance:
//   - transport errors and timeouts: yes, unless the caller's context ended
//     (then retrying cannot succeed and the caller asked us to stop);
//   - 50x: yes, the failure is Belvo's or an institution's and is transient;
//   - 429: yes, Belvo tells us to come back later;
//   - 408 with Belvo's JSON (request_timeout): no, Belvo could not gather
//     that much data in time and asks for less; the same request would
//     time out again, so only the caller, by narrowing it (a smaller
//     page_size), can succeed. A 408 without Belvo's body is a proxy's
//     idle timeout: yes, like a transport error;
//   - 3XX: never reaches here, the client does not follow redirects;
//   - 403 without Belvo's JSON body: yes, it is the edge's burst limit
//     (>80 requests per 30 s per IP), which clears by itself;
//   - other 40x: no, the request itself is wrong and will fail again —
//     except 400 too_many_sessions, which Belvo documents as "try again
//     later" because the institution allows one session at a time.
func retryable(ctx context.Context, transportErr error, apiErr *APIError) bool {
	if transportErr != nil {
		return ctx.Err() == nil && !errors.Is(transportErr, context.Canceled)
	}
	if apiErr == nil {
		return false
	}
	switch s := apiErr.Status; {
	case s >= 500:
		return true
	case s == http.StatusRequestTimeout:
		return len(apiErr.Details) == 0
	case s == http.StatusTooManyRequests:
		return true
	case s == http.StatusForbidden && len(apiErr.Details) == 0:
		return true
	case errors.Is(apiErr, ErrTooManySessions):
		return true
	}
	return false
}

// retryWait is the wait before retry number n (1-based): base × 2^(n-1), so
// 3 s, 6 s, 12 s, 24 s with Belvo's base. A Retry-After from the server
// wins when present, as Belvo asks.
func retryWait(base time.Duration, n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, maxRetryAfter)
	}
	return backoff.Policy{First: base}.Delay(n)
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(v); err == nil && secs >= 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
