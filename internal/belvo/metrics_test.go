package belvo_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

type countingMetrics struct {
	mu        sync.Mutex
	statuses  []int
	retries   []time.Duration
	throttled int
}

func (m *countingMetrics) Request(_, _ string, status int, _ time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.statuses = append(m.statuses, status)
}

func (m *countingMetrics) Retry(_, _ string, _ int, wait time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.retries = append(m.retries, wait)
}

func (m *countingMetrics) Throttled(time.Duration) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.throttled++
}

// TestMetricsSeeEveryAttemptRetryAndThrottle pins the metrics hooks: one
// Request per HTTP attempt with its status, one Retry per backoff, one
// Throttled per request the limiter held back.
func TestMetricsSeeEveryAttemptRetryAndThrottle(t *testing.T) {
	e, err := emulator.New(emulator.Config{Links: 1, Records: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(&scripted{answers: []func(w http.ResponseWriter, r *http.Request){answer(503, "")}, next: e.Handler()})
	defer srv.Close()
	m := &countingMetrics{}
	clk := newFakeClock()
	c, err := belvo.New(belvo.Config{URL: srv.URL, SecretID: "emulator-id", SecretPassword: "emulator-password", RateLimit: 1, RateInterval: time.Minute},
		belvo.WithClock(clk), belvo.WithMetrics(m))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(m.statuses, []int{503, 200}) || !slices.Equal(m.retries, []time.Duration{3 * time.Second}) || m.throttled != 1 {
		t.Fatalf("statuses %v retries %v throttled %d", m.statuses, m.retries, m.throttled)
	}
}
