package fetcher

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// Where no earlier client can have used the budget, the first share is
// taken at once; raises still wait.
func TestFirstShareAtOnceWhenAsked(t *testing.T) {
	s := newShare(80, 30*time.Second, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	s.observe(2, t0)
	if got := s.limiter.Limit(); got != 40 {
		t.Fatalf("first share %d, want 40 at once", got)
	}
	s.observe(1, t0.Add(time.Second))
	if got := s.limiter.Limit(); got != 40 {
		t.Fatalf("share %d a second after a member left, want the raise to wait", got)
	}
}

// A member takes a smaller share at once and a larger one only an interval
// after first seeing it, its first share included.
func TestShareRaisesLateAndLowersAtOnce(t *testing.T) {
	s := &share{budget: 80, interval: 30 * time.Second, limiter: belvo.NewLimiter(0, 30*time.Second, nil),
		log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	t0 := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	step := func(members int, at time.Duration, want int) {
		t.Helper()
		s.observe(members, t0.Add(at))
		if got := s.limiter.Limit(); got != want {
			t.Fatalf("%d members at +%s: share %d, want %d", members, at, got, want)
		}
	}
	step(1, 0, 0)                // a new member waits an interval
	step(1, 29*time.Second, 0)   //
	step(1, 30*time.Second, 80)  // alone: the whole budget
	step(3, 31*time.Second, 26)  // two more joined: lowered at once
	step(2, 40*time.Second, 26)  // one left: the raise waits
	step(2, 69*time.Second, 26)  //
	step(2, 70*time.Second, 40)  // an interval later
	step(200, 80*time.Second, 1) // never nothing once started
	step(4, 81*time.Second, 1)   // raise pending
	step(3, 90*time.Second, 1)   // a different raise restarts the wait
	step(3, 111*time.Second, 1)  //
	step(3, 120*time.Second, 26) //
}

// Three fetchers of one group against an emulator that answers Belvo's
// 403 burst page above its limit, with a load that needs more than the
// limit allows: no burst page at all, every event finished, and the
// requests close to the limit. Scaled from Belvo's 80 per 30 s to 30 per
// 6 s so that it runs in a minute; the division is the same.
func TestReplicasShareTheBelvoBudget(t *testing.T) {
	const limit, window = 30, 6 * time.Second
	w := newWorld(t, emulator.Config{Links: 36, Records: 20, Faults: emulator.Faults{BurstLimit: limit, BurstWindow: window}})
	env := map[string]string{"BELVO_RATE_LIMIT": "30", "BELVO_RATE_INTERVAL": window.String(), EnvWorkers: "8"}
	var fs []*running
	for range 3 {
		fs = append(fs, w.startFetcher(env))
	}
	testenv.Eventually(t, 30*time.Second, "three members with a share each", func() bool {
		for _, r := range fs {
			if r.f.share.limiter.Limit() != limit/3 {
				return false
			}
		}
		return true
	})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const events = 72
	if st, err := w.emu.RunLoad(ctx, events, 100); err != nil || st.Delivered != events {
		t.Fatalf("load: %+v %v", st, err)
	}
	testenv.Eventually(t, 3*time.Minute, "every event finished", func() bool {
		var done float64
		for _, r := range fs {
			done += counterSum(t, r.f.metrics.events)
		}
		return done >= events
	})
	var times []time.Time
	for _, r := range w.emu.Requests() {
		if r.Status == http.StatusForbidden {
			t.Fatalf("Belvo's burst page was served: %s %s at %s", r.Method, r.Path, r.Time)
		}
		if r.Method == http.MethodGet {
			times = append(times, r.Time)
		}
	}
	slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })
	// The rate while every member has work: up to the 80th percentile
	// request, before the member with the most events finishes alone.
	busy := times[:len(times)*8/10]
	span := busy[len(busy)-1].Sub(busy[0])
	rate := float64(len(busy)-1) / span.Seconds()
	for i, r := range fs {
		t.Logf("member %d: %.0f requests", i, counterSum(t, r.f.metrics.belvoRequests))
	}
	shares := float64(limit) / (window + shareMargin).Seconds()
	t.Logf("%d requests, the first 80%% in %s: %.2f/s; Belvo's limit %.2f/s, the members' shares %.2f/s",
		len(times), span.Round(time.Millisecond), rate, float64(limit)/window.Seconds(), shares)
	// Each member has its third whatever its load, and events are spread
	// over the members by their links' partitions, so the busiest member
	// sets the pace of the tail; while all are busy the sum is close to it.
	if rate < 0.6*shares {
		t.Errorf("%.2f requests/s while every member had work: well below the shares' %.2f/s", rate, shares)
	}
}
