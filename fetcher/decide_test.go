package fetcher

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/belvo"
)

// TestDecideSortsFailuresByType pins the one decision about a failed
// event: what is dead-lettered at once, what is retried (and how), and when
// the budget parks it, by attempts and by age. Errors arrive wrapped the
// way the fetcher sees them, and only their types count.
func TestDecideSortsFailuresByType(t *testing.T) {
	list := func(err error) error { return fmt.Errorf("list /api/accounts/ page 2: %w", err) }
	api := func(status int, code string) error {
		e := &belvo.APIError{Method: "GET", Path: "/api/accounts/?link=L", Status: status}
		if code != "" {
			e.Details = []belvo.ErrorDetail{{Code: code, Message: "m", RequestID: "0123456789abcdef0123456789abcdef"}}
		} else {
			e.Body = "<html><head><title>403 Forbidden</title></head></html>"
		}
		return list(e)
	}
	b := budget{attempts: 5, age: time.Hour}
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	fresh := func(err error) outcome { return decide(err, 1, t0, t0, b) }

	for _, c := range []struct {
		name string
		err  error
		want outcome
	}{
		{"403 access_to_resource_denied (JSON) is refused", api(403, "access_to_resource_denied"), refused},
		{"another JSON 403 code is refused too", api(403, "forbidden_institution"), refused},
		{"403 burst page (HTML) is throttling", api(403, ""), retry},
		{"429 is throttling", api(429, "too_many_requests"), retry},
		{"408 request_timeout asks for smaller pages", api(408, "request_timeout"), retrySmall},
		{"500 is transient", api(500, "unexpected_error"), retry},
		{"503 is transient", api(503, "service_unavailable"), retry},
		{"401 is about the keys, not the event", api(401, "authentication_failed"), retry},
		{"409 is retried", api(409, "link_refreshed"), retry},
		{"400 too_many_sessions is retried", api(400, "too_many_sessions"), retry},
		{"404 is permanent", api(404, "not_found"), deadLetter},
		{"400 invalid is permanent", api(400, "invalid"), deadLetter},
		{"428 token_required is refused: its link waits for a token", api(428, "token_required"), refused},
		{"a redirect is permanent", list(&belvo.RedirectError{Method: "GET", Path: "/api/accounts/", Status: 302, Location: "http://127.0.0.1:1/"}), deadLetter},
		{"a foreign next page is permanent", list(&belvo.ForeignNextError{Next: "http://evil/", Want: "https://api.belvo.com"}), deadLetter},
		{"a plan error is permanent", &planError{errors.New("bad date")}, deadLetter},
		{"a decode error is permanent", &decodeError{errors.New("not Avro")}, deadLetter},
		{"a record too large for the broker is permanent", fmt.Errorf("produce: %w", kafka.MessageSizeTooLarge), deadLetter},
		{"a transport error is transient", list(errors.New("dial tcp 127.0.0.1:1: connection refused")), retry},
		{"Kafka unavailable is transient", fmt.Errorf("produce: %w", kafka.LeaderNotAvailable), retry},
		{"a deadline is transient", list(context.DeadlineExceeded), retry},
	} {
		if got := fresh(c.err); got != c.want {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}

	// The budget: every retried class is parked once attempts or age are
	// spent; permanent failures never wait for it.
	for _, err := range []error{api(503, "service_unavailable"), api(403, ""), api(408, "request_timeout"), list(errors.New("EOF"))} {
		if got := decide(err, 4, t0, t0.Add(59*time.Minute), b); got == park {
			t.Errorf("%v: parked within the budget", err)
		}
		if got := decide(err, 5, t0, t0.Add(time.Second), b); got != park {
			t.Errorf("%v at the 5th attempt: %v, want park", err, got)
		}
		if got := decide(err, 2, t0, t0.Add(time.Hour), b); got != park {
			t.Errorf("%v an hour after the first failure: %v, want park", err, got)
		}
	}
	if got := decide(api(403, "access_to_resource_denied"), 50, t0, t0.Add(48*time.Hour), b); got != refused {
		t.Errorf("a refusal past the budget: %v, want refused", got)
	}
	if got := decide(api(404, "not_found"), 50, t0, t0.Add(48*time.Hour), b); got != deadLetter {
		t.Errorf("a 404 past the budget: %v, want deadLetter", got)
	}
}

// TestReasonNamesTheNewClasses pins the dead-letter and metric labels of
// the Belvo answers the decision distinguishes.
func TestReasonNamesTheNewClasses(t *testing.T) {
	for err, want := range map[error]string{
		&belvo.APIError{Status: 403, Details: []belvo.ErrorDetail{{Code: "access_to_resource_denied"}}}: "access_denied",
		&belvo.APIError{Status: 403, Body: "<html>"}:                                                    "burst_limit",
		&belvo.APIError{Status: 408, Details: []belvo.ErrorDetail{{Code: "request_timeout"}}}:           "request_timeout",
		&belvo.APIError{Status: 503}:      "http_503",
		&belvo.RedirectError{Status: 302}: "redirect",
	} {
		if got := reason(fmt.Errorf("list: %w", err)); got != want {
			t.Errorf("reason(%v) = %q, want %q", err, got, want)
		}
	}
}

// TestSmallerPageHalvesDownToAFloor pins the page sizes a 408 leads to.
func TestSmallerPageHalvesDownToAFloor(t *testing.T) {
	size, seen := 1000, []int{}
	for range 9 {
		size = smallerPage(size)
		seen = append(seen, size)
	}
	want := []int{500, 250, 125, 62, 31, 15, 10, 10, 10}
	if fmt.Sprint(seen) != fmt.Sprint(want) {
		t.Fatalf("page sizes %v, want %v", seen, want)
	}
	if got := smallerPage(4); got != 4 {
		t.Fatalf("a configured page below the floor became %d, want it kept", got)
	}
}

// TestRetryBookCountsForgetsAndSweeps pins the in-process budget memory:
// failures count per event, a finished event is forgotten, and an event
// that never came back (another replica took it) is dropped in time.
func TestRetryBookCountsForgetsAndSweeps(t *testing.T) {
	var b retryBook
	t0 := time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	a, c := eventKey{"t", 0, 1}, eventKey{"t", 1, 1}
	if got := b.get(a); got.attempts != 0 {
		t.Fatalf("unknown event has tries %+v", got)
	}
	b.failed(a, t0)
	b.setPageSize(a, 50)
	got := b.failed(a, t0.Add(time.Minute))
	if got.attempts != 2 || !got.first.Equal(t0) || got.pageSize != 50 {
		t.Fatalf("tries %+v, want 2 attempts since t0 at page_size 50", got)
	}
	b.forget(a)
	if b.get(a).attempts != 0 || b.size() != 0 {
		t.Fatal("a finished event's tries were kept")
	}
	b.failed(a, t0)
	b.failed(c, t0.Add(staleTries+2*time.Minute)) // a's tries are stale by now
	if b.size() != 1 || b.get(c).attempts != 1 {
		t.Fatalf("%d events with tries, want only the live one", b.size())
	}
}
