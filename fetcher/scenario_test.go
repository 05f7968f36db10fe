package fetcher

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/schemas"
)

// expectedCalls is webhooks.md's GET call of a row for a real event,
// written out by hand (not through the planner): the query without paging.
func expectedCalls(row schemas.Event, ev emulator.Event, chunk int) []url.Values {
	data, _ := ev.Data.(map[string]any)
	q := func(kv ...string) url.Values {
		v := url.Values{"link": {ev.LinkID}}
		for i := 0; i < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	text := func(k string) string { return fmt.Sprint(data[k]) }
	switch row.Type + "/" + row.Code {
	case "BILLS/new_bills_available", "EMPLOYMENTS/new_employments_available",
		"INVESTMENT_TRANSACTIONS/new_investment_transactions_available", "TAX_RETURNS/new_tax_returns_available",
		"TRANSACTIONS/new_transactions_available":
		// First notification, look-back 0: from today to today.
		return []url.Values{q("created_at__range", testToday+","+testToday)}
	case "INVOICES/initial_inflow_update", "INVOICES/historical_inflow_update":
		return []url.Values{q("type", "INFLOW", "invoice_date__range", text("first_invoice_date")+","+text("last_invoice_date"))}
	case "INVOICES/initial_outflow_update", "INVOICES/historical_outflow_update":
		return []url.Values{q("type", "OUTFLOW", "invoice_date__range", text("first_invoice_date")+","+text("last_invoice_date"))}
	case "TAX_RETURNS/historical_update":
		return []url.Values{q("ejercicio__range", text("first_tax_return_year")+","+text("last_tax_return_year"))}
	case "INVOICES/new_invoices_available", "INVOICES/invoices_cancelled", "TRANSACTIONS/transactions_updated":
		var ids []string
		for _, id := range data[row.IDs].([]any) {
			ids = append(ids, id.(string))
		}
		var out []url.Values
		for i := 0; i < len(ids); i += chunk {
			out = append(out, q("id__in", strings.Join(ids[i:min(i+chunk, len(ids))], ",")))
		}
		return out
	case "TRANSACTIONS/transactions_deleted":
		return nil
	}
	if row.Action == schemas.LinkStatus || row.Action == schemas.ConsentStatus {
		return nil
	}
	return []url.Values{q()}
}

// scenarioEvent is one delivered scenario event and what it must produce.
type scenarioEvent struct {
	ev    emulator.Event
	row   schemas.Event
	calls []url.Values
	ids   []string // expected record ids (fetch) or deletion ids
	raws  map[string]string
}

func runScenario(t *testing.T, w *world) []emulator.Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ds, err := w.emu.RunScenario(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.Delivered {
			t.Fatalf("scenario event %s/%s not accepted by ingest: %+v", d.Type, d.Code, d.Attempts)
		}
	}
	return ds
}

// For every catalogue row: the emulator's scenario event, through ingest
// and the fetcher, makes exactly the GET requests webhooks.md names (path
// and query, every page) and publishes exactly the records the emulator
// serves for them, byte for byte, with their lineage, decoded through the
// registry. Facts, deletions and reconciliations are checked alongside.
func TestScenarioEveryCatalogueRow(t *testing.T) {
	const pageSize, chunk = 10, 2
	w := newWorld(t, emulator.Config{Links: 3, Records: 25})
	w.startFetcher(nil)
	ds := runScenario(t, w)

	covered := map[string]bool{}
	var events []*scenarioEvent
	perTable := map[string]int{}
	wantRequests := map[string]int{}
	var linkEvents, consentEvents, errorEvents, reconciliations int
	for _, d := range ds {
		if d.Type == "INSTITUTION_STATUS" {
			continue
		}
		ev, err := d.Event()
		if err != nil {
			t.Fatal(err)
		}
		data, _ := ev.Data.(map[string]any)
		if _, isErr := data["errors"]; isErr {
			errorEvents++
			continue
		}
		row, ok := schemas.Lookup(ev.WebhookType, ev.WebhookCode)
		if !ok {
			t.Fatalf("scenario sent %s/%s, not in the catalogue", ev.WebhookType, ev.WebhookCode)
		}
		covered[row.Type+"/"+ev.WebhookCode] = true
		switch row.Action {
		case schemas.LinkStatus:
			linkEvents++
			continue
		case schemas.ConsentStatus:
			consentEvents++
			continue
		}
		if row.Count != "" || row.IDs != "" {
			reconciliations++
		}
		se := &scenarioEvent{ev: ev, row: row, calls: expectedCalls(row, ev, chunk), raws: map[string]string{}}
		res, _ := schemas.ResourceByName(row.Resource)
		if row.Action == schemas.Delete {
			for _, id := range data[row.IDs].([]any) {
				se.ids = append(se.ids, id.(string))
			}
		}
		for _, q := range se.calls {
			recs, err := w.emu.Records(res.Name, q)
			if err != nil {
				t.Fatal(err)
			}
			for _, raw := range recs {
				id := recordID(t, res, raw)
				se.ids = append(se.ids, id)
				se.raws[id] = string(raw)
			}
			pages := max(1, (len(recs)+pageSize-1)/pageSize)
			for p := 1; p <= pages; p++ {
				pq := url.Values{}
				for k, v := range q {
					pq[k] = v
				}
				pq.Set("page_size", fmt.Sprint(pageSize))
				if p > 1 {
					pq.Set("page", fmt.Sprint(p))
				}
				wantRequests[res.Path+"?"+pq.Encode()]++
			}
		}
		perTable[row.Resource] += len(se.ids)
		events = append(events, se)
	}
	for _, row := range schemas.Catalogue {
		for _, code := range []string{row.Code, row.Alias} {
			if code != "" && !covered[row.Type+"/"+code] {
				t.Errorf("the scenario sent no %s/%s event", row.Type, code)
			}
		}
	}

	t.Logf("%d fetching events, %d distinct requests, records per resource %v", len(events), len(wantRequests), perTable)
	// Records: exactly the expected ones on every resource topic.
	byWebhook := map[string][]record{}
	for table, n := range perTable {
		for _, r := range w.records(table, n, 90*time.Second) {
			byWebhook[r.str(schemas.FieldWebhookID)] = append(byWebhook[r.str(schemas.FieldWebhookID)], r)
		}
	}
	for _, se := range events {
		got := byWebhook[se.ev.WebhookID]
		var ids []string
		for _, r := range got {
			ids = append(ids, r.str(schemas.FieldID))
			if r.str(schemas.FieldLinkID) != se.ev.LinkID || r.str(schemas.FieldRequestID) != se.ev.RequestID {
				t.Errorf("%s/%s record %s lineage link %q request %q, want %q %q", se.row.Type, se.ev.WebhookCode,
					r.str(schemas.FieldID), r.str(schemas.FieldLinkID), r.str(schemas.FieldRequestID), se.ev.LinkID, se.ev.RequestID)
			}
			if at, _ := r[schemas.FieldFetchedAt].(time.Time); !at.Equal(testNow()) {
				t.Errorf("%s record fetched_at %v, want %v", se.row.Resource, r[schemas.FieldFetchedAt], testNow())
			}
			deleted, _ := r[schemas.FieldDeleted].(bool)
			if deleted != (se.row.Action == schemas.Delete) {
				t.Errorf("%s/%s record %s deleted=%v", se.row.Type, se.ev.WebhookCode, r.str(schemas.FieldID), deleted)
			}
			if want, ok := se.raws[r.str(schemas.FieldID)]; ok && r.str(schemas.FieldRaw) != want {
				t.Errorf("%s record %s raw differs from what Belvo served", se.row.Resource, r.str(schemas.FieldID))
			}
			if se.row.Action == schemas.Cancel && !strings.Contains(r.str(schemas.FieldRaw), "cancelation_status") {
				t.Errorf("cancelled invoice %s has no cancelation_status", r.str(schemas.FieldID))
			}
		}
		sort.Strings(ids)
		want := slices.Clone(se.ids)
		sort.Strings(want)
		if !slices.Equal(ids, want) {
			t.Errorf("%s/%s: records %v, want %v", se.row.Type, se.ev.WebhookCode, ids, want)
		}
	}

	// Requests: exactly webhooks.md's calls, every page, nothing else.
	gotRequests := map[string]int{}
	for _, r := range w.emu.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		gotRequests[r.Path+"?"+q.Encode()]++
		if r.Method != "GET" || r.Status != 200 {
			t.Errorf("request %s %s?%s answered %d", r.Method, r.Path, r.RawQuery, r.Status)
		}
	}
	for k, n := range wantRequests {
		if gotRequests[k] != n {
			t.Errorf("request %s made %d times, want %d", k, gotRequests[k], n)
		}
	}
	for k, n := range gotRequests {
		if wantRequests[k] == 0 {
			t.Errorf("unexpected request %s (%d times)", k, n)
		}
	}

	// Facts: every link, consent and error event; one reconciliation per
	// counted event, all matching.
	w.records("link_events", linkEvents, 30*time.Second)
	consents := w.records("consent_events", consentEvents, 30*time.Second)
	for _, c := range consents {
		if c.str("consent_id") == "" || c.str("institution") == "" {
			t.Errorf("consent fact without typed fields: %v", c)
		}
	}
	for _, e := range w.records("error_events", errorEvents, 30*time.Second) {
		if e.str("error_code") == "" || e.str("webhook_type") == "" {
			t.Errorf("error fact without typed fields: %v", e)
		}
	}
	for _, r := range w.records("reconciliations", reconciliations, 30*time.Second) {
		if m, _ := unwrap(r["matched"]).(bool); !m {
			t.Errorf("reconciliation did not match: %s", r.str(schemas.FieldRaw))
		}
	}
}

// recordID is the id the records converter gives a raw record.
func recordID(t *testing.T, res schemas.Resource, raw []byte) string {
	t.Helper()
	conv, err := recordsConverter(res)
	if err != nil {
		t.Fatal(err)
	}
	n, err := conv.Native(raw, testLineage())
	if err != nil {
		t.Fatal(err)
	}
	return n[schemas.FieldID].(string)
}
