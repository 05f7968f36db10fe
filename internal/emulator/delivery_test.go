package emulator

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"
)

// recordSleeps replaces the deliverer's sleep: it remembers each wait and
// returns at once, so Belvo's minutes of backoff take no time.
func recordSleeps(e *Emulator) func() []time.Duration {
	var mu sync.Mutex
	var waits []time.Duration
	e.send.sleep = func(ctx context.Context, d time.Duration) error {
		mu.Lock()
		waits = append(waits, d)
		mu.Unlock()
		return ctx.Err()
	}
	return func() []time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return append([]time.Duration(nil), waits...)
	}
}

// TestDeliveryRetryPolicy pins Belvo's webhook retries: on a non-2XX the
// same bytes (same webhook_id) are sent again, at most five more times,
// after waits growing linearly, and the outcome of each attempt is kept.
func TestDeliveryRetryPolicy(t *testing.T) {
	interval := time.Minute
	cases := []struct {
		name      string
		statuses  []int
		attempts  int
		delivered bool
	}{
		{"accepted at once", []int{202}, 1, true},
		{"two failures then 200", []int{500, 503, 200}, 3, true},
		{"any 2XX ends it", []int{404, 204}, 2, true},
		{"never accepted: 1 + 5 retries", []int{500}, 6, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rc := newReceiver(t, tc.statuses...)
			e, err := New(Config{Links: 2, Records: 2, WebhookURL: rc.srv.URL + "/webhooks/belvo", RetryInterval: interval,
				WebhookAuthorization: "Bearer s3cret"}, nil, WithClock(fixedNow))
			if err != nil {
				t.Fatal(err)
			}
			waits := recordSleeps(e)
			l, _ := e.store.liveLink(e.Links()[0].ID)
			d := e.deliverEvent(t.Context(), envelope(l, "LINK", "invalid_credentials", processRecurrent, "", nil))
			got := rc.all()
			if len(got) != tc.attempts || len(d.Attempts) != tc.attempts || d.Delivered != tc.delivered {
				t.Fatalf("%d posts, %d attempts recorded, delivered %v; want %d and %v", len(got), len(d.Attempts), d.Delivered, tc.attempts, tc.delivered)
			}
			for i, r := range got {
				if !bytes.Equal(r.Body, got[0].Body) || r.Auth != "Bearer s3cret" || r.Path != "/webhooks/belvo" {
					t.Fatalf("attempt %d differs: %s auth %q path %s", i+1, r.Body, r.Auth, r.Path)
				}
				if d.Attempts[i].Status != tc.statuses[min(i, len(tc.statuses)-1)] {
					t.Errorf("attempt %d recorded status %d", i+1, d.Attempts[i].Status)
				}
			}
			var want []time.Duration
			for n := 1; n < tc.attempts; n++ {
				want = append(want, time.Duration(n)*interval)
			}
			if !slices.Equal(waits(), want) {
				t.Fatalf("waits %v, want linear %v", waits(), want)
			}
		})
	}
}

// TestDeliveryTimeoutCountsAsFailure pins that a receiver slower than the
// delivery timeout (Belvo's 5s) gets the event again.
func TestDeliveryTimeoutCountsAsFailure(t *testing.T) {
	var mu sync.Mutex
	calls := 0
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select { // never answers in time: the sender gives up
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	defer close(release)
	e, err := New(Config{Links: 2, Records: 1, WebhookURL: srv.URL, DeliveryTimeout: 50 * time.Millisecond}, nil, WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	recordSleeps(e)
	l, _ := e.store.liveLink(e.Links()[0].ID)
	d := e.deliverEvent(t.Context(), envelope(l, "LINK", "invalid_credentials", processRecurrent, "", nil))
	if !d.Delivered || len(d.Attempts) != 2 || d.Attempts[0].Err == "" || d.Attempts[0].Status != 0 {
		t.Fatalf("delivery %+v, want a timed-out attempt then an accepted one", d.Attempts)
	}
}
