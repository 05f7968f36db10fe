package fetcher

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// post sends one webhook to ingest as Belvo does, retrying while ingest
// answers 503 (as Belvo retries): a new webhook type makes ingest register
// a schema, which a loaded registry may not do within ingest's budget.
func (w *world) post(t testing.TB, ev map[string]any) {
	t.Helper()
	body, _ := json.Marshal(ev)
	status := 0
	testenv.Eventually(t, 60*time.Second, "ingest accepting "+string(body), func() bool {
		res, err := http.Post(w.ingestURL+"/webhooks/belvo", "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		status = res.StatusCode
		return status != http.StatusServiceUnavailable
	})
	if status != http.StatusAccepted {
		t.Fatalf("ingest answered %d to %s", status, body)
	}
}

// Permanent failures (a link Belvo does not know, a payload no request can
// be built from) go to the dead-letter topic with the reason and do not
// hold back the link's later events; unknown types and codes are recorded
// as error_events, including a type whose topic appears while running.
func TestDeadLettersAndUnknownEvents(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 2, Records: 5})
	r := w.startFetcher(nil)
	link := w.emu.Links()[0].ID
	const ghost = "0284557b-df47-450a-po09e-7875195c2259" // Belvo's own not-quite-UUID example
	ev := func(id, typ, code, linkID string, data any) map[string]any {
		return map[string]any{"webhook_id": id, "webhook_type": typ, "webhook_code": code, "link_id": linkID,
			"external_id": nil, "data": data}
	}
	w.post(t, ev("w-ghost", "ACCOUNTS", "historical_update", ghost, map[string]any{"total_accounts": 2}))
	w.post(t, ev("w-baddate", "INVOICES", "initial_inflow_update", link,
		map[string]any{"total_invoices": 1, "first_invoice_date": "2024-13-45", "last_invoice_date": "2024-12-31"}))
	w.post(t, ev("w-newcode", "ACCOUNTS", "accounts_exploded", link, map[string]any{}))
	w.post(t, ev("w-newtype", "CRYPTO_WALLETS", "historical_update", link, map[string]any{"total_wallets": 1}))
	w.post(t, ev("w-good", "ACCOUNTS", "historical_update", ghost, map[string]any{"total_accounts": 2}))
	w.post(t, ev("w-good2", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 3}))

	want, _ := w.emu.Records("accounts", url.Values{"link": {link}})
	for _, rec := range w.records("accounts", len(want), 60*time.Second) {
		if rec.str(schemas.FieldWebhookID) != "w-good2" {
			t.Fatalf("account record from %s", rec.str(schemas.FieldWebhookID))
		}
	}
	codes := map[string]string{}
	for _, e := range w.records(factErrors, 2, 60*time.Second) {
		codes[e.str(schemas.FieldWebhookID)] = e.str("error_code")
	}
	if codes["w-newcode"] != unknownEventCode || codes["w-newtype"] != unknownEventCode {
		t.Fatalf("error_events %v, want both unknown events recorded as %s", codes, unknownEventCode)
	}

	var dead []map[string]string
	testenv.Eventually(t, 30*time.Second, "three dead letters", func() bool {
		dead = w.deadLetters(t)
		return len(dead) >= 3
	})
	reasons := map[string]string{}
	for _, h := range dead {
		if !strings.HasPrefix(h[headerTopic], w.prefix+".webhooks.") || h[headerError] == "" {
			t.Fatalf("dead letter headers %v", h)
		}
		reasons[h[headerWebhookID]] += h[headerReason]
	}
	if reasons["w-ghost"] != "not_found" || reasons["w-good"] != "not_found" || reasons["w-baddate"] != "plan" || len(reasons) != 3 {
		t.Fatalf("dead letters by webhook %v", reasons)
	}
	for _, req := range w.emu.Requests() {
		if strings.Contains(req.RawQuery, "invoice_date__range") {
			t.Fatalf("a request was made for an unplannable event: %s", req.RawQuery)
		}
	}
	res, err := http.Get("http://" + r.f.AdminAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, m := range []string{`fetcher_unknown_events_total{code="historical_update",type="CRYPTO_WALLETS"} 1`,
		`fetcher_dead_letters_total{reason="not_found"} 2`, `fetcher_dead_letters_total{reason="plan"} 1`} {
		if !strings.Contains(string(body), m) {
			t.Errorf("metrics lack %s", m)
		}
	}
}
