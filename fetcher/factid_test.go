package fetcher

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// The events' facts are keyed by the event, not its webhook_id: Belvo's two
// link_deleted examples (a deletion and a failed one) share a webhook_id and
// must stay two rows, while a retry of one of them keeps its id. Error
// events written from values and consent events get the same key.
func TestEventFactsAreKeyedByEventKey(t *testing.T) {
	lineage := records.Lineage{LinkID: "L", WebhookID: "wh", FetchedAt: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	received := time.Date(2026, 11, 23, 9, 59, 58, 0, time.UTC)
	output := func(name string) *output {
		table, _ := schemas.TableByName(name)
		conv, err := records.New(table)
		if err != nil {
			t.Fatal(err)
		}
		return newOutput(table.Topic("belvo"), conv, &registry.Codec{ID: 7, Avro: conv.Codec()}, nil)
	}
	deleted := Event{WebhookID: "wh", Type: "LINK", Code: "link_deleted", ProcessType: "async_delete", LinkID: "L", ReceivedAt: received,
		Data: json.RawMessage(`null`)}
	failed := deleted
	failed.Data = json.RawMessage(`{"error_code":"link_deletion_failed","error_message":"Link deletion failed. Please retry the request."}`)
	retry := deleted
	retry.ReceivedAt = received.Add(time.Minute)

	links := output(factLinks)
	id := func(ev Event) string {
		t.Helper()
		m, err := links.record(nil, ev.envelope("", ""), lineage)
		if err != nil {
			t.Fatal(err)
		}
		return string(m.Key)
	}
	if a, b := id(deleted), id(failed); a == b || a != deleted.key() || b != failed.key() {
		t.Errorf("link_deleted and its failure under one webhook_id: ids %q and %q, want their event keys %q and %q", a, b, deleted.key(), failed.key())
	}
	if a, b := id(deleted), id(retry); a != b {
		t.Errorf("a retry of one event: ids %q and %q, want one", a, b)
	}

	consent := Event{WebhookID: "wh", Type: "CONSENT", Code: "consent_expired", LinkID: "L", ReceivedAt: received,
		Data: json.RawMessage(`{"consent_id":"c","action":"renew"}`)}
	if m, err := output(factConsents).record(nil, consent.envelope("", ""), lineage); err != nil || string(m.Key) != consent.key() {
		t.Errorf("consent fact id %q (%v), want %q", m.Key, err, consent.key())
	}

	f := &Fetcher{outputs: outputs{factErrors: output(factErrors)}}
	errored := Event{WebhookID: "wh", Type: "ACCOUNTS", Code: "historical_update", LinkID: "L", ReceivedAt: received,
		Data: json.RawMessage(`{"errors":[{"code":"login_error","message":"x"}]}`)}
	m, err := f.errorEvent(errored, "login_error", "x", lineage)
	if err != nil || string(m.Key) != errored.key() {
		t.Errorf("error fact id %q (%v), want %q", m.Key, err, errored.key())
	}
}
