package fetcher

import (
	"context"
	"errors"
	"net/url"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Link A's webhooks are delivered; link B's never are, except that B's
// transactions were announced up to a point (its watermark) and nothing
// after. A sweep then fetches everything new of both links and counts
// exactly B's records as missed: B's transactions created after the
// watermark (above_watermark) and all of B's other resources
// (no_watermark), none of A's. Once every webhook is delivered, a second
// sweep counts nothing more.
func TestSweepCountsWhatNoWebhookAnnounced(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 2, Records: 6})
	r := w.startFetcher(map[string]string{EnvSweepInterval: "24h", EnvSweepGrace: "0s", EnvLookBackDays: "400"})
	ctx, cancel := context.WithTimeout(context.Background(), 12*time.Minute)
	defer cancel()
	links := w.emu.Links()
	if len(links) != 2 {
		t.Fatalf("%d links", len(links))
	}
	a, b := links[0].ID, links[1].ID
	api, err := belvo.New(belvo.Config{URL: w.emuURL, SecretID: w.emu.Config().SecretID, SecretPassword: w.emu.Config().SecretPassword, BaseBackoff: 10 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	var resources []schemas.Resource
	for _, res := range schemas.Resources {
		if sweepable(res) {
			resources = append(resources, res)
		}
	}
	created := func(link, resource string) []time.Time {
		raws, err := w.emu.Records(resource, url.Values{"link": {link}})
		if err != nil {
			t.Fatal(err)
		}
		var out []time.Time
		for _, raw := range raws {
			_, c, ok := idAndCreated(raw)
			if !ok {
				t.Fatalf("%s record without id or created_at: %s", resource, raw)
			}
			out = append(out, c)
		}
		return out
	}
	watermarked := func(link string) {
		t.Helper()
		testenv.Eventually(t, 4*time.Minute, "watermarks of "+link, func() bool {
			for _, res := range resources {
				if _, ok := r.f.state.get(watermarkKey(link, res.Name)); !ok && len(created(link, res.Name)) > 0 {
					return false
				}
			}
			return true
		})
	}
	if _, err := api.Refresh(ctx, a); err != nil {
		t.Fatal(err)
	}
	watermarked(a)

	// B's transactions were announced up to the middle one.
	txs := created(b, "transactions")
	if len(txs) < 2 {
		t.Fatalf("only %d transactions of link B", len(txs))
	}
	oldest, newest := txs[0], txs[0]
	for _, c := range txs {
		oldest, newest = minTime(oldest, c), maxTime(newest, c)
	}
	mid := oldest.Add(newest.Sub(oldest) / 2)
	if err := r.f.state.put(ctx, watermarkKey(b, "transactions"), stateEntry{Date: mid.UTC().Format(markLayout), WebhookID: "test"}); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]int{}
	for _, res := range resources {
		want[res.Name] = map[string]int{}
		for _, c := range created(b, res.Name) {
			switch {
			case res.Name != "transactions":
				want[res.Name][missedUnwatched]++
			case c.After(mid):
				want[res.Name][missedAbove]++
			}
		}
	}
	if want["transactions"][missedAbove] == 0 || want["transactions"][missedAbove] == len(txs) {
		t.Fatalf("the watermark splits nothing: %d of %d above", want["transactions"][missedAbove], len(txs))
	}

	sweep := func(round int) {
		t.Helper()
		st, err := r.f.Sweep(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if st.Links != 2 || st.Events != 2*len(resources) {
			t.Fatalf("sweep %d published %+v, want 2 links and %d events", round, st, 2*len(resources))
		}
		testenv.Eventually(t, 4*time.Minute, "sweep events done", func() bool {
			done := 0.0
			for _, res := range resources {
				done += counterSum(t, r.f.metrics.events.WithLabelValues(res.WebhookType, SweepCode, "done"))
			}
			return done == float64(round*2*len(resources))
		})
	}
	check := func(when string) {
		t.Helper()
		for _, res := range resources {
			for _, kind := range []string{missedAbove, missedUnwatched} {
				if got := counterSum(t, r.f.sweep.missed.WithLabelValues(res.Name, kind)); got != float64(want[res.Name][kind]) {
					t.Errorf("%s: %s %s missed = %v, want %d", when, res.Name, kind, got, want[res.Name][kind])
				}
			}
		}
	}
	sweep(1)
	check("first sweep")

	// The sweep events are in the webhook topic, keyed by link, marked as
	// the sweep's, as the topics' contract describes them.
	sweepEvents := 0
	for _, m := range testenv.ReadAll(t, w.brokers, schemas.WebhookTopic(w.prefix, "TRANSACTIONS")) {
		native, _, err := w.reg.Decode(ctx, m.Value)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := schemas.DecodeWebhookEvent(native)
		if err != nil {
			t.Fatal(err)
		}
		if ev.Origin != schemas.OriginSweep {
			continue
		}
		sweepEvents++
		if ev.WebhookCode != SweepCode || string(m.Key) != ev.LinkID || ev.EventKey != schemas.EventKey(&ev) || len(m.Headers) != 3 {
			t.Errorf("sweep event %+v, key %q, %d headers", ev, m.Key, len(m.Headers))
		}
	}
	if sweepEvents != 2 {
		t.Errorf("%d sweep events of transactions, want one per link", sweepEvents)
	}

	// Every record the sweep found was published: A's from its watermark's
	// day on (again), all of B's from the day of B's transactions'
	// watermark on.
	day := func(t time.Time) string { return t.UTC().Format(belvo.DateLayout) }
	txsA := created(a, "transactions")
	newestA := txsA[0]
	for _, c := range txsA {
		newestA = maxTime(newestA, c)
	}
	published := len(txsA)
	for _, c := range txsA {
		if day(c) >= day(newestA) {
			published++
		}
	}
	fromB := 0
	for _, c := range txs {
		if day(c) >= day(mid) {
			fromB++
		}
	}
	published += fromB
	ofB := map[string]bool{}
	for _, rec := range w.records("transactions", published, 4*time.Minute) {
		if rec.str(schemas.FieldLinkID) == b {
			ofB[rec.str(schemas.FieldID)] = true
		}
	}
	if len(ofB) != fromB {
		t.Errorf("%d of link B's transactions published, want the %d from %s on", len(ofB), fromB, day(mid))
	}

	// Now B's webhooks arrive too: nothing is missed any more.
	if _, err := api.Refresh(ctx, b); err != nil {
		t.Fatal(err)
	}
	if err := w.emu.Quiesce(ctx); err != nil {
		t.Fatal(err)
	}
	testenv.Eventually(t, 4*time.Minute, "refresh of B fetched", func() bool { return r.f.offsets.inFlight() == 0 })
	sweep(2)
	check("second sweep, everything delivered")
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func TestPlanSweep(t *testing.T) {
	ev := Event{WebhookID: "w", LinkID: "l", Origin: schemas.OriginSweep, Type: "TRANSACTIONS", Code: SweepCode,
		Data: []byte(`{"resource":"transactions","created_at_from":"2026-11-01","created_at_to":"2026-11-20","cutoff":"2026-11-20T14:30:00.000000Z"}`)}
	pl, err := (&planner{idChunk: 10, previous: func(string) (stateEntry, bool) { return stateEntry{}, false }}).plan(ev, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if len(pl.Calls) != 1 || pl.Calls[0].Resource.Name != "transactions" || pl.HasCount || pl.State != nil ||
		pl.Calls[0].Query.Values().Encode() != "created_at__range=2026-11-01%2C2026-11-20&link=l" {
		t.Fatalf("plan %+v", pl)
	}
	for _, data := range []string{`{"resource":"incomes","created_at_from":"2026-11-01","created_at_to":"2026-11-20"}`,
		`{"resource":"transactions","created_at_from":"2026-11-21","created_at_to":"2026-11-20"}`, `[]`} {
		ev.Data = []byte(data)
		var pe *planError
		if _, err := planSweep(ev); !errors.As(err, &pe) {
			t.Errorf("%s: got %v, want a planError (dead letter)", data, err)
		}
	}
}

func TestIDAndCreated(t *testing.T) {
	id, c, ok := idAndCreated([]byte(` {"account":{"id":"no","created_at":"2020-01-01T00:00:00Z"},"created_at":"2026-11-20T10:00:00.5Z", "id":"x\u0031"}`))
	if !ok || id != "x1" || !c.Equal(time.Date(2026, 11, 20, 10, 0, 0, 5e8, time.UTC)) {
		t.Errorf("got %q %v %v", id, c, ok)
	}
	for _, raw := range []string{`{"id":"x"}`, `{"id":"x","created_at":null}`, `{"created_at":"2026-11-20T10:00:00Z"}`, `[]`} {
		if _, _, ok := idAndCreated([]byte(raw)); ok {
			t.Errorf("%s: accepted", raw)
		}
	}
}
