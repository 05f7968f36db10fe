package emulator

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// call sends an authenticated request and returns the status, headers and body.
func call(t *testing.T, e *Emulator, srv *httptest.Server, method, path, body string, async bool) (int, http.Header, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	req.SetBasicAuth(e.cfg.SecretID, e.cfg.SecretPassword)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if async {
		req.Header.Set("X-Belvo-Request-Mode", "async")
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, b
}

// The lists whose spec declares link required refuse a request without it
// with Belvo's 400 (code required, field link); the others list every link.
func TestLinkRequiredLists(t *testing.T) {
	e, srv := start(t, Config{Links: 2, Records: 3})
	link := e.Links()[0].ID
	for _, r := range schemas.Resources {
		required := false
		for _, name := range schemas.LinkRequired {
			required = required || name == r.Name
		}
		status, body := get(t, e, srv, r.Path, nil)
		if required {
			errs := belvoErrors(t, body)
			if status != 400 || errs[0].Code != "required" || errs[0].Field != "link" || errs[0].Message != "This field is required." {
				t.Errorf("GET %s without link: %d %s, want 400 required link", r.Path, status, body)
			}
		} else if status != 200 {
			t.Errorf("GET %s without link: %d %s, want 200", r.Path, status, body)
		}
		if status, body := get(t, e, srv, r.Path, url.Values{"link": {link}}); status != 200 {
			t.Errorf("GET %s with link: %d %s", r.Path, status, body)
		}
	}
	if len(schemas.LinkRequired) != 5 {
		t.Fatalf("%d link-required lists, the spec has five among the resources", len(schemas.LinkRequired))
	}
}

// A method a path does not serve is answered 405 method_not_allowed with
// Belvo's error array and an Allow header; a path it does not serve, 404.
func TestWrongMethodsAre405(t *testing.T) {
	e, srv := start(t, Config{Links: 1, Records: 1})
	link := e.Links()[0].ID
	cases := []struct {
		method, path, allow string
	}{
		{http.MethodPut, "/api/transactions/", "GET, HEAD, OPTIONS, POST"},
		{http.MethodDelete, "/api/transactions/", "GET, HEAD, OPTIONS, POST"},
		{http.MethodPost, "/api/accounts/", "GET, HEAD, OPTIONS"},
		{http.MethodPatch, "/api/links/", "GET, HEAD, OPTIONS"},
		{http.MethodPost, "/api/links/" + link + "/", "DELETE, GET, HEAD, OPTIONS"},
		{http.MethodGet, "/api/links/" + link + "/refresh/", "OPTIONS, POST"},
		{http.MethodDelete, "/api/links/" + link + "/refresh/", "OPTIONS, POST"},
	}
	for _, c := range cases {
		status, h, body := call(t, e, srv, c.method, c.path, "", false)
		if status != 405 {
			t.Errorf("%s %s: %d %s, want 405", c.method, c.path, status, body)
			continue
		}
		errs := belvoErrors(t, body)
		if errs[0].Code != "method_not_allowed" || !strings.Contains(errs[0].Message, c.method) {
			t.Errorf("%s %s: body %s", c.method, c.path, body)
		}
		if h.Get("Allow") != c.allow {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, h.Get("Allow"), c.allow)
		}
	}
	// Served methods still work, and unknown paths stay 404.
	if status, _, body := call(t, e, srv, http.MethodGet, "/api/links/"+link+"/", "", false); status != 200 {
		t.Errorf("GET link: %d %s", status, body)
	}
	for _, path := range []string{"/api/nothing/", "/api/transactions/" + link + "/"} {
		if status, _, body := call(t, e, srv, http.MethodPut, path, "", false); status != 404 || belvoErrors(t, body)[0].Code != "not_found" {
			t.Errorf("PUT %s: %d %s, want 404", path, status, body)
		}
	}
}

// The async POST checks its body as the spec declares it, per endpoint,
// answering 400 with the member at fault.
func TestAsyncPostValidatesItsBody(t *testing.T) {
	e, srv := start(t, Config{Links: 1, Records: 3})
	link := e.Links()[0].ID
	cases := []struct {
		path, body  string
		code, field string // "" for 202
	}{
		{"/api/transactions/", `{"date_from":"2026-10-01","date_to":"2026-11-01"}`, "required", "link"},
		{"/api/transactions/", `{"link":"` + link + `","date_to":"2026-11-01"}`, "required", "date_from"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":"2026-10-01"}`, "required", "date_to"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":null,"date_to":"2026-11-01"}`, "null", "date_from"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":"01/10/2026","date_to":"2026-11-01"}`, "invalid", "date_from"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":"2026-11-02","date_to":"2026-11-01"}`, "invalid", "date_from"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":"2026-11-01","date_to":"2026-11-21"}`, "invalid", "date_to"},
		{"/api/transactions/", `{"link":"` + link + `","date_from":"2026-10-01","date_to":"2026-11-01"}`, "", ""},
		{"/api/invoices/", `{"link":"` + link + `","date_from":"2026-10-01","date_to":"2026-11-01"}`, "required", "type"},
		{"/api/invoices/", `{"link":"` + link + `","date_from":"2026-10-01","date_to":"2026-11-01","type":"SIDEWAYS"}`, "invalid_choice", "type"},
		{"/api/invoices/", `{"link":"` + link + `","date_from":"2026-10-01","date_to":"2026-11-01","type":"INFLOW"}`, "", ""},
		{"/api/br/employments/", `{"link":"` + link + `"}`, "", ""},
		{"/api/br/employments/", `{"link":"` + link + `","date_from":"2026-10-01"}`, "required", "date_to"},
		{"/api/employment-records/", `{"link":""}`, "blank", "link"},
		{"/api/employment-records/", `{"link":"` + link + `"}`, "", ""},
		// Members the endpoint does not take are ignored, as Belvo's serializers do.
		{"/api/financial-statements/", `{"link":"` + link + `","date_from":"garbage"}`, "", ""},
		{"/api/financial-statements/", `[]`, "invalid", ""},
	}
	for _, c := range cases {
		status, _, body := call(t, e, srv, http.MethodPost, c.path, c.body, true)
		if c.code == "" {
			if status != 202 {
				t.Errorf("POST %s %s: %d %s, want 202", c.path, c.body, status, body)
			}
			continue
		}
		if status != 400 {
			t.Errorf("POST %s %s: %d %s, want 400", c.path, c.body, status, body)
			continue
		}
		if errs := belvoErrors(t, body); errs[0].Code != c.code || errs[0].Field != c.field {
			t.Errorf("POST %s %s: %s, want code %s field %q", c.path, c.body, body, c.code, c.field)
		}
	}
	// A refresh names resources Belvo knows.
	status, _, body := call(t, e, srv, http.MethodPost, "/api/links/"+link+"/refresh/", `{"fetch_resources":["ACCOUNTS","PAYMENTS"]}`, false)
	if errs := belvoErrors(t, body); status != 400 || errs[0].Field != "fetch_resources" {
		t.Errorf("refresh with an unknown resource: %d %s", status, body)
	}
}

// The webhook answering a ranged async POST counts, and dates, exactly
// the records a list of that range then serves; a range holding nothing
// is announced with a zero count and null dates.
func TestAsyncPostWebhookRespectsTheRange(t *testing.T) {
	rc := newReceiver(t)
	e, srv := start(t, Config{Links: 1, Records: 60, WebhookURL: rc.srv.URL})
	link := e.Links()[0].ID
	cases := []struct {
		path, body, code, count, first, last string
		list                                 url.Values
	}{
		{"/api/transactions/", `{"link":"` + link + `","date_from":"2026-06-01","date_to":"2026-08-31"}`,
			"historical_update", "total_transactions", "first_transaction_date", "last_transaction_date",
			url.Values{"link": {link}, "value_date__range": {"2026-06-01,2026-08-31"}}},
		{"/api/invoices/", `{"link":"` + link + `","date_from":"2026-03-01","date_to":"2026-09-30","type":"INFLOW"}`,
			"historical_inflow_update", "total_invoices", "first_invoice_date", "last_invoice_date",
			url.Values{"link": {link}, "type": {"INFLOW"}, "invoice_date__range": {"2026-03-01,2026-09-30"}}},
		{"/api/invoices/", `{"link":"` + link + `","date_from":"2019-01-01","date_to":"2019-01-31","type":"OUTFLOW"}`,
			"historical_outflow_update", "total_invoices", "first_invoice_date", "last_invoice_date",
			url.Values{"link": {link}, "type": {"OUTFLOW"}, "invoice_date__range": {"2019-01-01,2019-01-31"}}},
	}
	for i, c := range cases {
		status, _, body := call(t, e, srv, http.MethodPost, c.path, c.body, true)
		var accepted struct {
			RequestID string `json:"request_id"`
		}
		if status != 202 || json.Unmarshal(body, &accepted) != nil {
			t.Fatalf("POST %s: %d %s", c.path, status, body)
		}
		d := waitDeliveries(t, e, i+1)[i]
		var ev struct {
			Code, Process, RequestID string
			Data                     map[string]any
		}
		var wire map[string]json.RawMessage
		json.Unmarshal(d.Body, &wire)
		json.Unmarshal(wire["webhook_code"], &ev.Code)
		json.Unmarshal(wire["process_type"], &ev.Process)
		json.Unmarshal(wire["request_id"], &ev.RequestID)
		json.Unmarshal(wire["data"], &ev.Data)
		if ev.Code != c.code || ev.Process != "async_post" || ev.RequestID != accepted.RequestID {
			t.Fatalf("webhook %s, want %s async_post answering %s", d.Body, c.code, accepted.RequestID)
		}
		status, body = get(t, e, srv, c.path, c.list)
		var p page
		if status != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("GET %s?%s: %d %s", c.path, c.list.Encode(), status, body)
		}
		all, _ := e.Records(strings.Trim(strings.ReplaceAll(c.path, "/api/", ""), "/"), url.Values{"link": {link}})
		if n, _ := ev.Data[c.count].(float64); int(n) != p.Count || p.Count >= len(all) {
			t.Errorf("%s: %s=%v, the range lists %d of the link's %d", c.body, c.count, ev.Data[c.count], p.Count, len(all))
		}
		if p.Count == 0 {
			if ev.Data[c.first] != nil || ev.Data[c.last] != nil {
				t.Errorf("%s: empty range announced with dates %v %v, want null", c.body, ev.Data[c.first], ev.Data[c.last])
			}
			continue
		}
		first, _ := ev.Data[c.first].(string)
		last, _ := ev.Data[c.last].(string)
		from, to, _ := strings.Cut(c.list.Get(map[bool]string{true: "value_date__range", false: "invoice_date__range"}[c.path == "/api/transactions/"]), ",")
		if first < from || last > to || first > last {
			t.Errorf("%s: dates %s..%s outside the range %s..%s", c.body, first, last, from, to)
		}
	}
}
