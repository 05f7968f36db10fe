package fetcher

import (
	"encoding/json"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// A backfill event narrows a historical
// fetch to its created_at__range member; the same member in a webhook from
// Belvo is ignored, and a backfill of a resource without the filter fetches
// the whole link.
func TestOwnEventsNarrowByCreatedAtRange(t *testing.T) {
	data := json.RawMessage(`{"created_at__range":"2026-01-01,2026-01-31"}`)
	for _, tc := range []struct {
		typ, origin string
		want        string
	}{
		{"TRANSACTIONS", schemas.OriginBackfill, "2026-01-01,2026-01-31"},
		{"TRANSACTIONS", schemas.OriginWebhook, ""},
		{"ACCOUNTS", schemas.OriginBackfill, ""}, // accounts take no created_at__range
	} {
		ev := Event{WebhookID: "w", Type: tc.typ, Code: "historical_update", LinkID: "l", Data: data, Origin: tc.origin}
		pl, err := testPlanner(nil).plan(ev, planToday)
		if err != nil {
			t.Fatalf("%s from %s: %v", tc.typ, tc.origin, err)
		}
		if len(pl.Calls) != 1 {
			t.Fatalf("%s from %s: %d calls, want 1", tc.typ, tc.origin, len(pl.Calls))
		}
		got := pl.Calls[0].Query.Values().Get(schemas.FilterCreatedAtRange)
		if got != tc.want {
			t.Errorf("%s from %s: created_at__range %q, want %q", tc.typ, tc.origin, got, tc.want)
		}
	}
	bad := Event{WebhookID: "w", Type: "TRANSACTIONS", Code: "historical_update", LinkID: "l", Origin: schemas.OriginBackfill,
		Data: json.RawMessage(`{"created_at__range":"2026-02-01,2026-01-01"}`)}
	if _, err := testPlanner(nil).plan(bad, planToday); err == nil {
		t.Error("a range that ends before it starts was planned")
	}
}
