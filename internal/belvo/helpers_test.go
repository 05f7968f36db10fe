package belvo_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
)

// fakeClock jumps to whatever instant a sleeper waits for, and remembers
// how long each sleep was from the sleeper's point of view.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newFakeClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) SleepUntil(ctx context.Context, t time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, t.Sub(c.now))
	if t.After(c.now) {
		c.now = t
	}
	return nil
}

func (c *fakeClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// emu starts an emulator on 127.0.0.1 and returns it with its URL.
func emu(t testing.TB, cfg emulator.Config) (*emulator.Emulator, *httptest.Server) {
	t.Helper()
	e, err := emulator.New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(e.Handler())
	t.Cleanup(srv.Close)
	return e, srv
}

// client returns a Client of url with the emulator's default keys, a fake
// clock and a limit high enough not to matter unless the test sets one.
func client(t testing.TB, url string, clk belvo.Clock, mod func(*belvo.Config)) *belvo.Client {
	t.Helper()
	cfg := belvo.Config{URL: url, SecretID: "emulator-id", SecretPassword: "emulator-password", RateLimit: 100000, RateInterval: time.Second}
	if mod != nil {
		mod(&cfg)
	}
	var opts []belvo.Option
	if clk != nil {
		opts = append(opts, belvo.WithClock(clk))
	}
	c, err := belvo.New(cfg, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// scripted answers the first len(answers) requests itself, then passes
// every later one to next: a Belvo that fails a known number of times.
type scripted struct {
	mu      sync.Mutex
	answers []func(http.ResponseWriter, *http.Request)
	calls   int
	next    http.Handler
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	n := s.calls
	s.calls++
	s.mu.Unlock()
	if n < len(s.answers) {
		s.answers[n](w, r)
		return
	}
	s.next.ServeHTTP(w, r)
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// answer writes a fixed status, headers and body.
func answer(status int, body string, header ...string) func(http.ResponseWriter, *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(status)
		w.Write([]byte(body))
	}
}

// hangUp closes the connection without answering: a network error.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}
