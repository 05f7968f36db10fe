package pipeline

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/seeds"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Belvo's documented webhook examples (seeds 000 and 002: dozens of
// different events under one webhook_id, a yearly and a monthly tax-return
// event under another) through ingest, fetcher and sink, against an
// emulator that serves what they announce (Emulator.Conform): every
// reconciliation agrees, and every distinct event keeps its webhook_events
// row, the yearly and the monthly tax-return events both; the facts keep
// them apart too (both link_deleted examples, a deletion and a failed one
// under one webhook_id, are link_events rows).
func TestSeedWebhooksReconcileWithoutMismatch(t *testing.T) {
	exs, err := seeds.Webhooks(testenv.Root(t)+"/../shared/seeds", "000_", "002_")
	if err != nil {
		t.Fatal(err)
	}
	env := testEnv(t, "seeds", nil)
	p, ctx := startPipeline(t, env, 1000, 9*time.Minute)

	var bodies [][]byte
	events := map[string]bool{}      // event keys of every distinct event
	reconciled := map[string]bool{}  // those that announce a count or ids
	linkDeleted := map[string]bool{} // the link_deleted events: link_events ids
	for _, ex := range exs {
		bodies = append(bodies, ex.JSON)
		var w struct {
			ID, Type, Code, Link       string
			Process, Request, External *string
			Data                       json.RawMessage
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(ex.JSON, &m); err != nil {
			t.Fatal(err)
		}
		for k, dst := range map[string]any{"webhook_id": &w.ID, "webhook_type": &w.Type, "webhook_code": &w.Code, "link_id": &w.Link,
			"process_type": &w.Process, "request_id": &w.Request, "external_id": &w.External} {
			if raw, ok := m[k]; ok {
				_ = json.Unmarshal(raw, dst)
			}
		}
		w.Data = m["data"]
		if w.Data == nil {
			w.Data = json.RawMessage("null")
		}
		key := schemas.EventKey(&schemas.WebhookEvent{WebhookID: w.ID, WebhookType: w.Type, WebhookCode: w.Code, LinkID: w.Link,
			ProcessType: w.Process, RequestID: w.Request, ExternalID: w.External, Data: string(w.Data)})
		events[key] = true
		if w.Type == "LINK" && w.Code == "link_deleted" {
			linkDeleted[key] = true
		}
		var data map[string]json.RawMessage
		_ = json.Unmarshal(w.Data, &data)
		if row, ok := schemas.Lookup(w.Type, w.Code); ok && data["errors"] == nil && row.Resource != "" &&
			(row.IDs != "" || (row.Count != "" && data[row.Count] != nil && string(data[row.Count]) != "null")) {
			reconciled[key] = true
		}
	}
	if len(reconciled) < 30 {
		t.Fatalf("only %d seed events announce a count", len(reconciled))
	}
	if len(linkDeleted) < 2 {
		t.Fatalf("%d distinct link_deleted events in the seeds, want Belvo's two (deleted, deletion failed)", len(linkDeleted))
	}
	if err := p.Emulator.Conform(bodies); err != nil {
		t.Fatal(err)
	}
	for _, b := range bodies {
		res, err := http.Post("http://"+loopback(p.Ingest.Addr())+"/webhooks/belvo", "application/json", bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("ingest answered %d to %s", res.StatusCode, b)
		}
	}

	conn, db, err := p.open()
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func(query string, args ...any) uint64 {
		var n uint64
		if err := conn.QueryRow(ctx, query, args...).Scan(&n); err != nil {
			t.Logf("%s: %v", query, err)
		}
		return n
	}
	keys := func(m map[string]bool) []string {
		out := make([]string, 0, len(m))
		for k := range m {
			out = append(out, k)
		}
		return out
	}
	testenv.Eventually(t, 8*time.Minute, "a reconciliation of every seed event that announces a count, an audit row of every event and a link_events row of each link_deleted", func() bool {
		return count("SELECT count() FROM "+table(db, "reconciliations")+" FINAL WHERE id IN (?)", keys(reconciled)) == uint64(len(reconciled)) &&
			count("SELECT count() FROM "+table(db, "webhook_events")+" FINAL WHERE event_key IN (?)", keys(events)) == uint64(len(events)) &&
			count("SELECT count() FROM "+table(db, "link_events")+" FINAL WHERE webhook_code = 'link_deleted' AND id IN (?)", keys(linkDeleted)) == uint64(len(linkDeleted))
	})
	// The failed deletion is typed as such beside the deletion: the sink
	// purges the link's resources for the one without error_code only.
	if n := count("SELECT uniqExact(ifNull(error_code, '')) FROM "+table(db, "link_events")+" FINAL WHERE id IN (?)", keys(linkDeleted)); n != 2 {
		t.Errorf("link_deleted facts: %d distinct error codes, want 2 (none and link_deletion_failed)", n)
	}
	rows, err := conn.Query(ctx, "SELECT webhook_code, resource, announced, fetched FROM "+table(db, "reconciliations")+" FINAL WHERE NOT matched")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var code, resource string
		var announced, fetched int64
		if err := rows.Scan(&code, &resource, &announced, &fetched); err != nil {
			t.Fatal(err)
		}
		t.Errorf("reconciliation mismatch: %s %s announced %d, fetched %d", resource, code, announced, fetched)
	}
	rows.Close()
	for _, code := range []string{"historical_update", "new_tax_returns_available"} {
		for _, typ := range []string{"yearly", "monthly"} {
			n := count("SELECT count() FROM "+table(db, "webhook_events")+" FINAL WHERE webhook_type = 'TAX_RETURNS' AND webhook_code = ? AND JSONExtractString(data, 'type') = ?", code, typ)
			if n != 1 {
				t.Errorf("TAX_RETURNS %s %s: %d rows in webhook_events, want 1", code, typ, n)
			}
		}
	}
	if n := count("SELECT uniqExact(webhook_id) FROM " + table(db, "webhook_events")); n >= uint64(len(events)) {
		t.Errorf("%d webhook ids for %d events: the examples reuse ids, and their events must all stay", n, len(events))
	}
}
