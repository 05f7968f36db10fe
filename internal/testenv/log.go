package testenv

import (
	"bytes"
	"log/slog"
	"os"
	"sync"
	"testing"
)

// Logger returns a debug-level logger for the services a test starts. Its
// output is kept, up to the last keep lines, and printed only if the test
// fails: a timeout in CI then says what the service was doing instead of
// only that it did not finish. BELVO_TEST_LOG=1 prints every line at once.
func Logger(t testing.TB, keep int) *slog.Logger {
	t.Helper()
	opts := &slog.HandlerOptions{Level: slog.LevelDebug}
	if os.Getenv("BELVO_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	tail := &tailWriter{keep: keep}
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		lines, dropped := tail.lines()
		t.Logf("the last %d log lines of the services this test started (%d earlier ones dropped):", len(lines), dropped)
		for _, l := range lines {
			t.Log(l)
		}
	})
	return slog.New(slog.NewTextHandler(tail, opts))
}

// tailWriter keeps the last keep lines written to it.
type tailWriter struct {
	mu      sync.Mutex
	keep    int
	ring    []string
	next    int
	dropped int
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, line := range bytes.Split(bytes.TrimRight(p, "\n"), []byte("\n")) {
		if len(w.ring) < w.keep {
			w.ring = append(w.ring, string(line))
			continue
		}
		w.ring[w.next] = string(line)
		w.next = (w.next + 1) % w.keep
		w.dropped++
	}
	return len(p), nil
}

func (w *tailWriter) lines() ([]string, int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append(append([]string(nil), w.ring[w.next:]...), w.ring[:w.next]...), w.dropped
}
