package belvo

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

// TestRetryableFollowsBelvosGuidance pins the one retry decision.
func TestRetryableFollowsBelvosGuidance(t *testing.T) {
	live := context.Background()
	dead, cancel := context.WithCancel(context.Background())
	cancel()
	cases := []struct {
		name string
		ctx  context.Context
		err  error
		api  *APIError
		want bool
	}{
		{"timeout", live, errors.New("i/o timeout"), nil, true},
		{"transport error after cancel", dead, context.Canceled, nil, false},
		{"500", live, nil, &APIError{Status: 500}, true},
		{"503", live, nil, &APIError{Status: 503}, true},
		{"408 request_timeout", live, nil, &APIError{Status: 408, Details: []ErrorDetail{{Code: "request_timeout"}}}, false},
		{"408 from a proxy", live, nil, &APIError{Status: 408, Body: "<html>"}, true},
		{"429", live, nil, &APIError{Status: 429}, true},
		{"403 html", live, nil, &APIError{Status: 403, Body: "<html>"}, true},
		{"403 json", live, nil, &APIError{Status: 403, Details: []ErrorDetail{{Code: "access_to_resource_denied"}}}, false},
		{"400 too_many_sessions", live, nil, &APIError{Status: 400, Details: []ErrorDetail{{Code: "too_many_sessions"}}}, true},
		{"400 login_error", live, nil, &APIError{Status: 400, Details: []ErrorDetail{{Code: "login_error"}}}, false},
		{"401", live, nil, &APIError{Status: 401}, false},
		{"404", live, nil, &APIError{Status: 404}, false},
		{"409", live, nil, &APIError{Status: 409, Details: []ErrorDetail{{Code: "link_refreshed"}}}, false},
		{"428", live, nil, &APIError{Status: 428}, false},
	}
	for _, tc := range cases {
		if got := retryable(tc.ctx, tc.err, tc.api); got != tc.want {
			t.Errorf("%s: retryable = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestBackoffDoublesFromThreeSecondsAndHonoursRetryAfter pins the waits.
func TestBackoffDoublesFromThreeSecondsAndHonoursRetryAfter(t *testing.T) {
	for n, want := range []time.Duration{3 * time.Second, 6 * time.Second, 12 * time.Second, 24 * time.Second} {
		if got := retryWait(3*time.Second, n+1, 0); got != want {
			t.Errorf("retry %d: %s, want %s", n+1, got, want)
		}
	}
	if got := retryWait(3*time.Second, 1, 42*time.Second); got != 42*time.Second {
		t.Errorf("Retry-After 42s gave %s", got)
	}
	if got := retryWait(3*time.Second, 1, 10*time.Hour); got != maxRetryAfter {
		t.Errorf("Retry-After 10h gave %s, want the %s cap", got, maxRetryAfter)
	}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if got := parseRetryAfter(now.Add(90*time.Second).Format(http.TimeFormat), now); got != 90*time.Second {
		t.Errorf("HTTP-date Retry-After gave %s", got)
	}
	if got := parseRetryAfter("soon", now); got != 0 {
		t.Errorf("bad Retry-After gave %s", got)
	}
}

// TestErrorBodyParsing pins how bodies become APIError details.
func TestErrorBodyParsing(t *testing.T) {
	var e APIError
	parseErrorBody(&e, []byte(`[{"code":"invalid","message":"bad","request_id":"abc","field":"link"}]`))
	if e.Code() != "invalid" || e.Details[0].Field != "link" || e.RequestID() != "abc" || e.Body != "" {
		t.Fatalf("array: %+v", e)
	}
	e = APIError{}
	parseErrorBody(&e, []byte("<html>403 Forbidden</html>"))
	if len(e.Details) != 0 || e.Body != "<html>403 Forbidden</html>" {
		t.Fatalf("html: %+v", e)
	}
}
