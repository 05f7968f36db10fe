package emulator

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// runScenario runs the scenario against a receiver and returns both.
func runScenario(t *testing.T) (*Emulator, *receiver, []Delivery) {
	t.Helper()
	rc := newReceiver(t)
	e, err := New(Config{Links: 3, Records: 40, WebhookURL: rc.srv.URL + "/webhooks/belvo", WebhookAuthorization: "Basic dTpw"}, nil, WithClock(fixedNow))
	if err != nil {
		t.Fatal(err)
	}
	ds, err := e.RunScenario(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return e, rc, ds
}

// TestScenarioCoversEveryCatalogueRow pins that the scenario sends one
// event per row of schemas.Catalogue, both spellings of aliased codes, and
// the quirks the pipeline must survive.
func TestScenarioCoversEveryCatalogueRow(t *testing.T) {
	_, rc, ds := runScenario(t)
	hex32 := regexp.MustCompile(`^[0-9a-f]{32}$`)
	sent := map[string]bool{}
	ids := map[string]bool{}
	var errorEvents, noProcess, nullExternal, deletedOK, deletedFailed, salaryQuirk int
	var status *Delivery
	for i, d := range ds {
		if !d.Delivered {
			t.Errorf("delivery %d (%s/%s) not delivered", i, d.Type, d.Code)
		}
		if d.Type == "INSTITUTION_STATUS" {
			status = &ds[i]
			continue
		}
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(d.Body, &raw); err != nil {
			t.Fatal(err)
		}
		for _, k := range []string{"webhook_id", "webhook_type", "webhook_code", "link_id", "external_id", "data"} {
			if _, ok := raw[k]; !ok {
				t.Errorf("%s/%s lacks %s: %s", d.Type, d.Code, k, d.Body)
			}
		}
		ev, _ := d.Event()
		if !hex32.MatchString(ev.WebhookID) || ids[ev.WebhookID] {
			t.Errorf("webhook_id %q not 32 hex or repeated", ev.WebhookID)
		}
		ids[ev.WebhookID] = true
		sent[ev.WebhookType+"/"+ev.WebhookCode] = true
		data, _ := ev.Data.(map[string]any)
		switch {
		case data != nil && data["errors"] != nil:
			errorEvents++
		case ev.WebhookCode == "link_deleted" && ev.Data == nil:
			deletedOK++
		case ev.WebhookCode == "link_deleted" && data["error_code"] == "link_deletion_failed":
			deletedFailed++
		}
		if ev.ProcessType == "" {
			noProcess++
		}
		if ev.ExternalID == nil {
			nullExternal++
		}
		if strings.Contains(string(d.Body), `"SALARY_INCREASED"`) {
			salaryQuirk++
		}
	}
	for _, row := range schemas.Catalogue {
		for _, code := range []string{row.Code, row.Alias} {
			if code != "" && !sent[row.Type+"/"+code] {
				t.Errorf("no event %s/%s", row.Type, code)
			}
		}
	}
	for name, n := range map[string]int{"error events": errorEvents, "events without process_type": noProcess,
		"events with null external_id": nullExternal, "link_deleted successes": deletedOK, "link_deleted failures": deletedFailed,
		"SALARY_INCREASED quirks": salaryQuirk} {
		if n == 0 {
			t.Errorf("no %s", name)
		}
	}
	if status == nil {
		t.Fatal("no institution-status event")
	}
	var sp struct {
		Page     map[string]any `json:"page"`
		Incident struct {
			ID, Name, Status, UpdatedAt string `json:"-"`
			Components                  []struct{ Name, Status string }
		} `json:"incident"`
	}
	if err := json.Unmarshal(status.Body, &sp); err != nil || sp.Page == nil || len(sp.Incident.Components) == 0 ||
		sp.Incident.Components[0].Name == "" || sp.Incident.Components[0].Status != "major_outage" {
		t.Fatalf("status payload %s: %v", status.Body, err)
	}
	for _, k := range []string{`"id"`, `"name"`, `"status"`, `"updated_at"`} {
		if !strings.Contains(string(status.Body), k) {
			t.Errorf("status payload lacks %s", k)
		}
	}
	var statusPosts, authed int
	for _, r := range rc.all() {
		if r.Path == StatusWebhookPath {
			statusPosts++
		}
		if r.Auth == "Basic dTpw" {
			authed++
		}
	}
	if statusPosts != 1 || authed != len(rc.all()) {
		t.Errorf("%d posts to %s (want 1), %d of %d with Authorization", statusPosts, StatusWebhookPath, authed, len(rc.all()))
	}
}

// served lists every record the API serves for q, page by page.
func served(t *testing.T, e *Emulator, path string, q url.Values) ([]map[string]any, int) {
	t.Helper()
	srv := newTestServer(t, e)
	q.Set("page_size", "1000")
	status, body := get(t, e, srv, path, q)
	if status != 200 {
		return nil, status
	}
	var p page
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatal(err)
	}
	if p.Next != nil {
		t.Fatalf("more than 1000 records for %s?%s", path, q.Encode())
	}
	out := make([]map[string]any, len(p.Results))
	for i, r := range p.Results {
		json.Unmarshal(r, &out[i])
	}
	return out, status
}

// field reads a dotted path of a decoded record as text.
func field(rec map[string]any, path string) string {
	var v any = rec
	for _, k := range strings.Split(path, ".") {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// TestServedDataAgreesWithTheScenarioEvents pins the contract the pipeline
// relies on: the GET call each event names returns as many records as the
// event counts, over the dates and years it gives, with the ids it lists
// (deleted ones gone, cancelled ones cancelled), and a deleted link is 404.
func TestServedDataAgreesWithTheScenarioEvents(t *testing.T) {
	e, _, ds := runScenario(t)
	today := fixedNow().Format(dateLayout)
	checked := 0
	for _, d := range ds {
		if d.Type == "INSTITUTION_STATUS" {
			continue
		}
		ev, _ := d.Event()
		row, ok := schemas.Lookup(ev.WebhookType, ev.WebhookCode)
		data, _ := ev.Data.(map[string]any)
		if !ok || data["errors"] != nil {
			continue
		}
		name := ev.WebhookType + "/" + ev.WebhookCode
		if row.Code == "link_deleted" {
			if ev.Data == nil {
				if _, status := served(t, e, "/api/accounts/", url.Values{"link": {ev.LinkID}}); status != 404 {
					t.Errorf("%s: deleted link answers %d, want 404", name, status)
				}
			}
			continue
		}
		if row.Resource == "" {
			continue
		}
		res, _ := schemas.ResourceByName(row.Resource)
		q := url.Values{"link": {ev.LinkID}}
		var ids []string
		if row.IDs != "" {
			for _, id := range data[row.IDs].([]any) {
				ids = append(ids, id.(string))
			}
			q.Set(schemas.FilterIDIn, strings.Join(ids, ","))
		}
		for _, p := range row.Query {
			switch {
			case p.Const != "":
				q.Set(p.Filter, p.Const)
			case p.Since:
				q.Set(p.Filter, today+","+today)
			case p.From != "":
				q.Set(p.Filter, fmt.Sprint(data[p.From])+","+fmt.Sprint(data[p.To]))
			}
		}
		if strings.HasPrefix(row.Code, "new_") && row.IDs == "" && len(row.Query) == 0 {
			// The fetcher lists everything; "new" are those created today.
			q.Set(schemas.FilterCreatedAtRange, today+","+today)
		}
		if row.Action == schemas.Fetch && row.Count == "" && row.Code != "employment_changes" {
			t.Errorf("%s: a fetch row without a count", name)
		}
		recs, status := served(t, e, res.Path, q)
		if status != 200 {
			t.Errorf("%s: GET %s?%s answered %d", name, res.Path, q.Encode(), status)
			continue
		}
		checked++
		switch row.Action {
		case schemas.Delete:
			if len(recs) != 0 || fmt.Sprint(data["count"]) != fmt.Sprint(len(ids)) {
				t.Errorf("%s: %d deleted ids still served (count %v)", name, len(recs), data["count"])
			}
			continue
		case schemas.Cancel:
			for _, r := range recs {
				if r["status"] != "Cancelado" {
					t.Errorf("%s: invoice %v has status %v", name, r["id"], r["status"])
				}
			}
		}
		if len(ids) > 0 && len(recs) != len(ids) {
			t.Errorf("%s: %d of %d listed ids served", name, len(recs), len(ids))
		}
		if row.Count != "" && fmt.Sprint(data[row.Count]) != fmt.Sprint(len(recs)) {
			t.Errorf("%s: %s=%v but GET %s?%s serves %d", name, row.Count, data[row.Count], res.Path, q.Encode(), len(recs))
		}
		var dates, years, flows []string
		for _, r := range recs {
			date := field(r, res.DateField)
			dates = append(dates, date[:min(len(date), 10)])
			years = append(years, field(r, "informacion_general.ejercicio"))
			flows = append(flows, field(r, "type"))
		}
		for k, v := range data {
			var want string
			switch {
			case strings.HasSuffix(k, "_year") && strings.HasPrefix(k, "first_"):
				want = slices.Min(years)
			case strings.HasSuffix(k, "_year") && strings.HasPrefix(k, "last_"):
				want = slices.Max(years)
			case strings.HasPrefix(k, "first_") && strings.HasSuffix(k, "_date"):
				want = slices.Min(dates)
			case strings.HasPrefix(k, "last_") && strings.HasSuffix(k, "_date"):
				want = slices.Max(dates)
			case k == "total_inflow_transactions":
				want = fmt.Sprint(countOf(flows, "INFLOW"))
			case k == "total_outflow_transactions":
				want = fmt.Sprint(countOf(flows, "OUTFLOW"))
			default:
				continue
			}
			if fmt.Sprint(v) != want {
				t.Errorf("%s: %s=%v, served records give %s", name, k, v, want)
			}
		}
	}
	if checked < 30 {
		t.Fatalf("only %d events checked against served data", checked)
	}
}

func countOf(xs []string, x string) int {
	n := 0
	for _, v := range xs {
		if v == x {
			n++
		}
	}
	return n
}
