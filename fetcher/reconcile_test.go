package fetcher

import (
	"encoding/json"
	"testing"
	"time"
)

// Counts are compared with what they count: ids asked for id-list events,
// a superset (fetched >= announced) where the fetch holds more than the
// count covers, exactly otherwise.
func TestReconciliationComparesLikeWithLike(t *testing.T) {
	received := time.Now()
	ranged := map[string]stateEntry{requestKey("req-ranged"): {Resource: "transactions", From: "2026-01-01", To: "2026-01-31"}}
	for _, c := range []struct {
		name          string
		ev            Event
		prev          map[string]stateEntry
		wantAnnounced int
		wantExact     bool
	}{
		{name: "whole-link count", ev: Event{Type: "ACCOUNTS", Code: "historical_update", Data: json.RawMessage(`{"total_accounts":4}`)},
			wantAnnounced: 4, wantExact: true},
		{name: "yearly tax returns over a list of both types",
			ev:            Event{Type: "TAX_RETURNS", Code: "historical_update", Data: json.RawMessage(`{"type":"yearly","total_tax_returns":2,"first_tax_return_year":2017,"last_tax_return_year":2018}`)},
			wantAnnounced: 2, wantExact: false},
		{name: "monthly tax returns since the last notification",
			ev:            Event{Type: "TAX_RETURNS", Code: "new_tax_returns_available", Data: json.RawMessage(`{"type":"monthly","new_tax_returns":1}`)},
			wantAnnounced: 1, wantExact: false},
		{name: "updated ids: asked, not data.count, duplicates once",
			ev:            Event{Type: "TRANSACTIONS", Code: "transactions_updated", Data: json.RawMessage(`{"count":5,"updated_transactions":["a","b","a"]}`)},
			wantAnnounced: 2, wantExact: true},
		{name: "deleted ids: asked",
			ev:            Event{Type: "TRANSACTIONS", Code: "transactions_deleted", Data: json.RawMessage(`{"count":9,"deleted_transactions":["a","b"]}`)},
			wantAnnounced: 2, wantExact: true},
		{name: "async POST answer fetched over its range",
			ev: Event{Type: "TRANSACTIONS", Code: "historical_update", ProcessType: processAsyncPost, RequestID: "req-ranged", ReceivedAt: received,
				Data: json.RawMessage(`{"total_transactions":7}`)},
			prev: ranged, wantAnnounced: 7, wantExact: true},
		{name: "async POST answer whose range is unknown: the whole link",
			ev: Event{Type: "TRANSACTIONS", Code: "historical_update", ProcessType: processAsyncPost, RequestID: "req-other", ReceivedAt: received.Add(-time.Hour),
				Data: json.RawMessage(`{"total_transactions":7}`)},
			wantAnnounced: 7, wantExact: false},
	} {
		t.Run(c.name, func(t *testing.T) {
			c.ev.WebhookID, c.ev.LinkID = "w", "l"
			pl, err := testPlanner(c.prev).plan(c.ev, planToday)
			if err != nil {
				t.Fatal(err)
			}
			if !pl.HasCount {
				t.Fatal("nothing to compare")
			}
			if announced, exact := pl.Announced, pl.Exact; announced != c.wantAnnounced || exact != c.wantExact {
				t.Fatalf("compares %d (exact %v), want %d (exact %v)", announced, exact, c.wantAnnounced, c.wantExact)
			}
		})
	}
}

// Events built without a record (the sweep's, tests') get the key ingest
// would give them; decoded ones keep theirs.
func TestEventKeyOfAnEventBuiltByHand(t *testing.T) {
	ev := Event{WebhookID: "w", Type: "TAX_RETURNS", Code: "historical_update", LinkID: "l", Data: json.RawMessage(`{"type":"yearly"}`)}
	monthly := ev
	monthly.Data = json.RawMessage(`{"type":"monthly"}`)
	if ev.key() == monthly.key() || ev.key()[:2] != "w:" {
		t.Fatalf("keys %s and %s", ev.key(), monthly.key())
	}
	ev.EventKey = "w:given"
	if ev.key() != "w:given" {
		t.Fatal("a decoded key is replaced")
	}
}
