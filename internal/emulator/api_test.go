package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

// belvoErrors decodes Belvo's error array and checks its request ids.
func belvoErrors(t *testing.T, body []byte) []apiError {
	t.Helper()
	var errs []apiError
	if err := json.Unmarshal(body, &errs); err != nil || len(errs) == 0 {
		t.Fatalf("not Belvo's error array: %s", body)
	}
	for _, e := range errs {
		if !hex32.MatchString(e.RequestID) {
			t.Fatalf("request_id %q is not 32 lowercase hex", e.RequestID)
		}
	}
	return errs
}

// TestPaginationEnvelope pins Belvo's paging: page 1-based, page_size
// default 100 and clamped to 1000, next and previous carrying the filters,
// and a page past the end answered 404.
func TestPaginationEnvelope(t *testing.T) {
	e, srv := start(t, Config{Links: 1, Records: 2100})
	link := e.Links()[0].ID
	cases := []struct {
		q                url.Values
		results          int
		hasNext, hasPrev bool
	}{
		{url.Values{"link": {link}}, 100, true, false},
		{url.Values{"link": {link}, "page_size": {"5000"}}, 1000, true, false},
		{url.Values{"link": {link}, "page_size": {"1000"}, "page": {"3"}}, 100, false, true},
		{url.Values{"link": {link}, "page_size": {"500"}, "page": {"2"}, "type": {"INFLOW"}}, -1, false, true},
	}
	for _, tc := range cases {
		status, body := get(t, e, srv, "/api/transactions/", tc.q)
		var p page
		if status != 200 || json.Unmarshal(body, &p) != nil {
			t.Fatalf("%v: %d %s", tc.q, status, body)
		}
		if tc.results >= 0 && len(p.Results) != tc.results {
			t.Errorf("%v: %d results, want %d", tc.q, len(p.Results), tc.results)
		}
		if (p.Next != nil) != tc.hasNext || (p.Previous != nil) != tc.hasPrev {
			t.Errorf("%v: next %v previous %v", tc.q, p.Next, p.Previous)
		}
		if p.Next != nil {
			u, _ := url.Parse(*p.Next)
			nq := u.Query()
			if u.Host != strings.TrimPrefix(srv.URL, "http://") || nq.Get("link") != link || nq.Get("page_size") != tc.q.Get("page_size") {
				t.Errorf("%v: next %s lost the host or the filters", tc.q, *p.Next)
			}
		}
	}
	status, body := get(t, e, srv, "/api/transactions/", url.Values{"link": {link}, "page": {"99"}})
	if status != 404 || belvoErrors(t, body)[0].Code != "not_found" {
		t.Fatalf("page 99: %d %s", status, body)
	}
}

// TestAuthAndUnknownLinks pins 401 with Belvo's body for bad keys, 404 for
// an unknown link, and 400 naming the field for a malformed filter.
func TestAuthAndUnknownLinks(t *testing.T) {
	e, srv := start(t, Config{Links: 1, Records: 3})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/accounts/", nil)
	req.SetBasicAuth("emulator-id", "nope")
	res, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	buf.ReadFrom(res.Body)
	res.Body.Close()
	if res.StatusCode != 401 || belvoErrors(t, buf.Bytes())[0].Code != "authentication_failed" {
		t.Fatalf("bad password: %d %s", res.StatusCode, buf.Bytes())
	}
	status, body := get(t, e, srv, "/api/accounts/", url.Values{"link": {"0284557b-df47-450a-po09e-7875195c2259"}})
	if status != 404 || belvoErrors(t, body)[0].Code != "not_found" {
		t.Fatalf("unknown link: %d %s", status, body)
	}
	status, body = get(t, e, srv, "/api/transactions/", url.Values{"link": {e.Links()[0].ID}, "value_date__range": {"2024-13-01,2024-12-01"}})
	if status != 400 || belvoErrors(t, body)[0].Field != "value_date__range" {
		t.Fatalf("bad range: %d %s", status, body)
	}
	status, body = get(t, e, srv, "/api/links/", nil)
	var p page
	if status != 200 || json.Unmarshal(body, &p) != nil || p.Count != 1 {
		t.Fatalf("links: %d %s", status, body)
	}
}

// waitDeliveries polls until n deliveries are recorded or the deadline.
func waitDeliveries(t *testing.T, e *Emulator, n int) []Delivery {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	if err := e.Quiesce(ctx); err != nil {
		t.Fatal(err)
	}
	ds := e.Deliveries()
	if len(ds) < n {
		t.Fatalf("%d deliveries, want %d", len(ds), n)
	}
	return ds
}

func post(t *testing.T, e *Emulator, url, method string, body string, async bool) (int, map[string]string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.SetBasicAuth(e.cfg.SecretID, e.cfg.SecretPassword)
	if async {
		req.Header.Set("X-Belvo-Request-Mode", "async")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]string
	json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

// TestAsyncWorkIsFollowedByItsWebhooks pins the requests that start work:
// async POST → 202 then a webhook with its request_id and process_type
// async_post; refresh → 202 then historical updates, 409 inside the
// cooldown; async DELETE → 202, link_deleted with null data, link gone.
func TestAsyncWorkIsFollowedByItsWebhooks(t *testing.T) {
	rc := newReceiver(t)
	e, srv := start(t, Config{Links: 2, Records: 4, WebhookURL: rc.srv.URL})
	link := e.Links()[0].ID

	status, out := post(t, e, srv.URL+"/api/financial-statements/", http.MethodPost, `{"link":"`+link+`"}`, true)
	if status != 202 || !hex32.MatchString(out["request_id"]) {
		t.Fatalf("async POST: %d %v", status, out)
	}
	ds := waitDeliveries(t, e, 1)
	ev, _ := ds[0].Event()
	if ev.RequestID != out["request_id"] || ev.ProcessType != "async_post" || ev.WebhookCode != "new_financial_statements_available" || !ds[0].Delivered {
		t.Fatalf("async POST webhook %s", ds[0].Body)
	}

	status, out = post(t, e, srv.URL+"/api/links/"+link+"/refresh/", http.MethodPost, `{"fetch_resources":["ACCOUNTS","TRANSACTIONS"]}`, false)
	if status != 202 || !hex32.MatchString(out["request_id"]) {
		t.Fatalf("refresh: %d %v", status, out)
	}
	ds = waitDeliveries(t, e, 3)
	for _, d := range ds[1:] {
		ev, _ := d.Event()
		if ev.RequestID != out["request_id"] || ev.WebhookCode != "historical_update" || ev.LinkID != link {
			t.Fatalf("refresh webhook %s", d.Body)
		}
	}
	if status, _ := post(t, e, srv.URL+"/api/links/"+link+"/refresh/", http.MethodPost, `{}`, false); status != 409 {
		t.Fatalf("refresh inside the cooldown: %d, want 409", status)
	}

	status, out = post(t, e, srv.URL+"/api/links/"+link+"/", http.MethodDelete, "", true)
	if status != 202 || !hex32.MatchString(out["request_id"]) {
		t.Fatalf("async DELETE: %d %v", status, out)
	}
	ds = waitDeliveries(t, e, 4)
	if ev, _ := ds[3].Event(); ev.WebhookCode != "link_deleted" || ev.Data != nil || ev.ProcessType != "async_delete" || !strings.Contains(string(ds[3].Body), `"data":null`) {
		t.Fatalf("link_deleted webhook %s", ds[3].Body)
	}
	if status, _ := get(t, e, srv, "/api/accounts/", url.Values{"link": {link}}); status != 404 {
		t.Fatalf("deleted link answers %d", status)
	}
}

// TestFaultInjection pins each configured fault.
func TestFaultInjection(t *testing.T) {
	t.Run("burst limit answers 403 HTML", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 1, Faults: Faults{BurstLimit: 2, BurstWindow: time.Hour}})
		var statuses []int
		for range 3 {
			s, body := get(t, e, srv, "/api/accounts/", nil)
			statuses = append(statuses, s)
			if s == 403 && !strings.Contains(string(body), "<html>") {
				t.Fatalf("403 body %s, want HTML", body)
			}
		}
		if statuses[0] != 200 || statuses[1] != 200 || statuses[2] != 403 {
			t.Fatalf("statuses %v, want 200 200 403", statuses)
		}
	})
	t.Run("429 with Retry-After", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 1, Faults: Faults{Rate429: 1, RetryAfter: 2 * time.Second}})
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/accounts/", nil)
		req.SetBasicAuth(e.cfg.SecretID, e.cfg.SecretPassword)
		res, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 429 || res.Header.Get("Retry-After") != "2" {
			t.Fatalf("%d Retry-After %q", res.StatusCode, res.Header.Get("Retry-After"))
		}
	})
	t.Run("fractions of 500 and 503", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 1, Faults: Faults{Rate500: 0.3, Rate503: 0.3}})
		count := map[int]int{}
		for range 200 {
			s, _ := get(t, e, srv, "/api/accounts/", nil)
			count[s]++
		}
		if count[500] < 30 || count[503] < 30 || count[200] < 50 || count[500]+count[503]+count[200] != 200 {
			t.Fatalf("status counts %v for 30%% 500 and 30%% 503", count)
		}
	})
	t.Run("denied links and paths answer 403 access_to_resource_denied", func(t *testing.T) {
		// Link ids depend on the seed only: learn them from a twin.
		twin, _ := start(t, Config{Links: 3, Records: 1})
		l0, l1, l2 := twin.Links()[0].ID, twin.Links()[1].ID, twin.Links()[2].ID
		e, srv := start(t, Config{Links: 3, Records: 1, Faults: Faults{Denied: []string{l0, l1 + ":/api/bills/", "/api/incomes/"}}})
		for _, c := range []struct {
			path string
			q    url.Values
			want int
		}{
			{"/api/accounts/", url.Values{"link": {l0}}, 403},
			{"/api/links/" + l0 + "/", nil, 403},
			{"/api/bills/", url.Values{"link": {l1}}, 403},
			{"/api/accounts/", url.Values{"link": {l1}}, 200},
			{"/api/bills/", url.Values{"link": {l2}}, 200},
			{"/api/incomes/", url.Values{"link": {l2}}, 403},
			{"/api/links/" + l2 + "/", nil, 200},
		} {
			s, body := get(t, e, srv, c.path, c.q)
			var errs []apiError
			if s != c.want || (s == 403 && (json.Unmarshal(body, &errs) != nil || len(errs) != 1 || errs[0].Code != "access_to_resource_denied" || len(errs[0].RequestID) != 32)) {
				t.Fatalf("%s %v: %d %s, want %d (403 as Belvo's JSON array)", c.path, c.q, s, body, c.want)
			}
		}
	})
	t.Run("token-required link answers 428 with a session to resume", func(t *testing.T) {
		twin, _ := start(t, Config{Links: 2, Records: 1})
		l0, l1 := twin.Links()[0].ID, twin.Links()[1].ID
		e, srv := start(t, Config{Links: 2, Records: 1, Faults: Faults{TokenRequired: []string{l0 + ":/api/accounts/"}}})
		s, body := get(t, e, srv, "/api/accounts/", url.Values{"link": {l0}})
		var errs []tokenRequired
		if s != 428 || json.Unmarshal(body, &errs) != nil || len(errs) != 1 || errs[0].Code != "token_required" || len(errs[0].Session) != 32 ||
			errs[0].Expiry <= 0 || errs[0].Link != l0 || !errs[0].TokenGenerationData.ExpectsUserInput {
			t.Fatalf("%d %s, want 428 TokenRequiredResponse", s, body)
		}
		if s, _ := get(t, e, srv, "/api/accounts/", url.Values{"link": {l1}}); s != 200 {
			t.Fatalf("another link: %d, want 200", s)
		}
	})
	t.Run("unavailable path answers 503 every time", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 1, Faults: Faults{UnavailablePaths: []string{"/api/bills/"}}})
		for range 3 {
			if s, _ := get(t, e, srv, "/api/bills/", nil); s != 503 {
				t.Fatalf("bills: %d, want 503", s)
			}
		}
		if s, _ := get(t, e, srv, "/api/accounts/", nil); s != 200 {
			t.Fatalf("accounts: %d, want 200", s)
		}
	})
	t.Run("page_size above the timeout size answers 408 request_timeout", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 1, Faults: Faults{TimeoutPageSize: 25}})
		s, body := get(t, e, srv, "/api/accounts/", url.Values{"page_size": {"26"}})
		if s != 408 || !strings.Contains(string(body), `"request_timeout"`) {
			t.Fatalf("page_size 26: %d %s, want 408 request_timeout", s, body)
		}
		if s, _ := get(t, e, srv, "/api/accounts/", url.Values{"page_size": {"25"}}); s != 200 {
			t.Fatalf("page_size 25: %d, want 200", s)
		}
	})
	t.Run("foreign next host", func(t *testing.T) {
		e, srv := start(t, Config{Links: 1, Records: 200, Faults: Faults{ForeignNext: "evil.example.com"}})
		_, body := get(t, e, srv, "/api/bills/", url.Values{"link": {e.Links()[0].ID}})
		var p page
		json.Unmarshal(body, &p)
		if p.Next == nil || !strings.HasPrefix(*p.Next, "http://evil.example.com/api/bills/?") {
			t.Fatalf("next %v", p.Next)
		}
	})
}

// TestSameSeedSameData pins determinism: two emulators with one seed serve
// identical bytes; another seed serves other ids.
func TestSameSeedSameData(t *testing.T) {
	a, _ := New(Config{Seed: 7, Records: 20}, nil, WithClock(fixedNow))
	b, _ := New(Config{Seed: 7, Records: 20}, nil, WithClock(fixedNow))
	c, _ := New(Config{Seed: 8, Records: 20}, nil, WithClock(fixedNow))
	ra, _ := a.Records("invoices", url.Values{"link": {a.Links()[1].ID}})
	rb, _ := b.Records("invoices", url.Values{"link": {b.Links()[1].ID}})
	rc, _ := c.Records("invoices", nil)
	join := func(rs []json.RawMessage) []byte {
		var b []byte
		for _, r := range rs {
			b = append(b, r...)
		}
		return b
	}
	if len(ra) != 20 || !bytes.Equal(join(ra), join(rb)) {
		t.Fatal("same seed, different data")
	}
	var first struct{ ID string }
	json.Unmarshal(ra[0], &first)
	if bytes.Contains(join(rc), []byte(first.ID)) || a.Links()[0].ID == c.Links()[0].ID {
		t.Fatal("different seeds, same data")
	}
}

// TestRequestLogAccessorAndAdminEndpoint pins what tests of other stages
// read: every API request with method, path and raw query.
func TestRequestLogAccessorAndAdminEndpoint(t *testing.T) {
	e, srv := start(t, Config{Links: 1, Records: 2})
	get(t, e, srv, "/api/owners/", url.Values{"link": {e.Links()[0].ID}, "page_size": {"7"}})
	res, err := http.Get(srv.URL + "/_emulator/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var logged []Request
	json.NewDecoder(res.Body).Decode(&logged)
	if len(logged) != 1 || logged[0].Path != "/api/owners/" || !strings.Contains(logged[0].RawQuery, "page_size=7") || logged[0].Status != 200 {
		t.Fatalf("logged %+v", logged)
	}
	if r := e.Requests(); len(r) != 1 || r[0].Path != logged[0].Path || r[0].RawQuery != logged[0].RawQuery {
		t.Fatalf("accessor %+v", r)
	}
}

// TestLoadModeSendsNEvents pins load mode's count and that its events
// describe served data.
func TestLoadModeSendsNEvents(t *testing.T) {
	rc := newReceiver(t)
	e, _ := start(t, Config{Links: 2, Records: 5, WebhookURL: rc.srv.URL})
	st, err := e.RunLoad(t.Context(), 25, 2000)
	if err != nil || st.Sent != 25 || st.Delivered != 25 || len(rc.all()) != 25 {
		t.Fatalf("stats %+v err %v, %d received", st, err, len(rc.all()))
	}
}

// A load can keep a webhook type back, so that a later SendHistorical of
// that type is the first the receiver ever sees of it.
func TestLoadExceptKeepsATypeBack(t *testing.T) {
	rc := newReceiver(t)
	e, _ := start(t, Config{Links: 2, Records: 5, WebhookURL: rc.srv.URL})
	st, err := e.RunLoadExcept(t.Context(), 60, 5000, "OWNERS")
	if err != nil || st.Delivered != 60 {
		t.Fatalf("stats %+v err %v", st, err)
	}
	for _, r := range rc.all() {
		var ev Event
		if err := json.Unmarshal(r.Body, &ev); err != nil {
			t.Fatal(err)
		}
		if ev.WebhookType == "OWNERS" {
			t.Fatalf("the load sent %s/%s, a type it was told to skip", ev.WebhookType, ev.WebhookCode)
		}
	}
	d, err := e.SendHistorical(t.Context(), "OWNERS")
	if err != nil || !d.Delivered || d.Type != "OWNERS" || d.Code != "historical_update" {
		t.Fatalf("SendHistorical = %+v, %v", d, err)
	}
	if _, err := e.SendHistorical(t.Context(), "LINK"); err == nil {
		t.Fatal("SendHistorical of LINK, which has no historical update, did not fail")
	}
}

// TestConfigValidateNamesTheEnvVar pins the emulator's settings checks.
func TestConfigValidateNamesTheEnvVar(t *testing.T) {
	cases := []struct {
		c    Config
		want string
	}{
		{Config{WebhookURL: "ftp://x"}, EnvWebhookURL},
		{Config{StatusWebhookURL: "nope"}, EnvStatusWebhookURL},
		{Config{Links: -1}, EnvLinks},
		{Config{Records: -2}, EnvRecords},
		{Config{Faults: Faults{Rate500: 0.8, Rate503: 0.5}}, EnvFault500},
		{Config{Faults: Faults{SlowRate: 2}}, EnvFaultSlow},
		{Config{Faults: Faults{BurstLimit: -1}}, EnvBurstLimit},
		{Config{Faults: Faults{TimeoutPageSize: -1}}, EnvFaultTimeoutPageSize},
		{Config{Faults: Faults{UnavailablePaths: []string{"bills"}}}, EnvFaultUnavailable},
		{Config{Faults: Faults{Denied: []string{"L:bills"}}}, EnvFaultDenied},
		{Config{Faults: Faults{TokenRequired: []string{"L:accounts"}}}, EnvFaultMFARequired},
	}
	for _, tc := range cases {
		if err := tc.c.Validate(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want it to name %s", tc.c, err, tc.want)
		}
	}
	d := Config{WebhookURL: "http://ingest:8080/webhooks/belvo"}.Defaults()
	if d.Addr != ":8090" || d.StatusWebhookURL != "http://ingest:8080"+StatusWebhookPath || d.DeliveryTimeout != 5*time.Second || d.Cooldown != 10*time.Minute {
		t.Fatalf("defaults %+v", d)
	}
}

// TestServeShutsDownWhenTheContextEnds pins Run's lifecycle: it serves
// until its context ends, then returns nil after a graceful shutdown.
func TestServeShutsDownWhenTheContextEnds(t *testing.T) {
	e, err := New(Config{Links: 1, Records: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.Serve(ctx, ln) }()
	res, err := http.Get("http://" + ln.Addr().String() + "/_emulator/links")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("serving: %v", err)
	}
	res.Body.Close()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve still running 10s after its context ended")
	}
}

// TestUpdatedTransactionsChange pins that transactions_updated names
// records whose served content did change.
func TestUpdatedTransactionsChange(t *testing.T) {
	rc := newReceiver(t)
	e, _ := start(t, Config{Links: 2, Records: 10, WebhookURL: rc.srv.URL})
	link := e.Links()[0].ID
	before, _ := e.Records("transactions", url.Values{"link": {link}})
	ds, err := e.RunScenario(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		ev, _ := d.Event()
		if ev.WebhookCode != "transactions_updated" {
			continue
		}
		ids := ev.Data.(map[string]any)["updated_transactions"].([]any)
		for _, id := range ids {
			after, _ := e.Records("transactions", url.Values{"id__in": {id.(string)}})
			for _, b := range before {
				if bytes.Contains(b, []byte(id.(string))) && bytes.Equal(b, after[0]) {
					t.Errorf("transaction %s listed as updated but unchanged", id)
				}
			}
		}
		return
	}
	t.Fatal("no transactions_updated event")
}
