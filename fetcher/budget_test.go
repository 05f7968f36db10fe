package fetcher

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Integration tests of how the fetcher ends failing events (decide): Belvo
// refusing a resource, its burst page, its 408, and a failure that outlasts
// the retry budget. Each uses a Belvo emulator fault and the real broker.

// linkIDs returns the link ids an emulator of cfg will serve: they depend on
// the seed and the number of links only, so a fault can name them before the
// world's emulator exists.
func linkIDs(t *testing.T, cfg emulator.Config) []string {
	t.Helper()
	twin, err := emulator.New(emulator.Config{Seed: cfg.Seed, Links: cfg.Links, Records: 1}, quietLog())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, l := range twin.Links() {
		ids = append(ids, l.ID)
	}
	return ids
}

func webhook(id, typ, code, link string, data map[string]any) map[string]any {
	return map[string]any{"webhook_id": id, "webhook_type": typ, "webhook_code": code, "link_id": link,
		"external_id": nil, "data": data}
}

// requestsTo returns the emulator's log of API requests to path.
func (w *world) requestsTo(path string) []emulator.Request {
	var out []emulator.Request
	for _, r := range w.emu.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// deadLetters returns the headers of every event in the fetcher's
// dead-letter topic, in topic order, checking each value is the event as
// read and carries its own webhook id in the header.
func (w *world) deadLetters(t *testing.T) []map[string]string {
	t.Helper()
	var out []map[string]string
	for _, m := range w.rawTopic(t, deadLetterTopic(w.prefix)) {
		h := map[string]string{}
		for _, x := range m.Headers {
			h[x.Key] = string(x.Value)
		}
		native, _, err := w.reg.Decode(t.Context(), m.Value)
		if err != nil {
			t.Fatalf("dead letter is not the event as read: %v", err)
		}
		if id := native.(map[string]any)["webhook_id"].(string); id != h[headerWebhookID] {
			t.Fatalf("dead letter of %s carries webhook_id header %q", id, h[headerWebhookID])
		}
		out = append(out, h)
	}
	return out
}

// deadLetterHeaders is deadLetters by webhook id.
func (w *world) deadLetterHeaders(t *testing.T) map[string]map[string]string {
	t.Helper()
	out := map[string]map[string]string{}
	for _, h := range w.deadLetters(t) {
		out[h[headerWebhookID]] = h
	}
	return out
}

func (r *running) metricsText(t *testing.T) string {
	t.Helper()
	res, err := http.Get("http://" + r.f.AdminAddr() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return string(body)
}

// distinctRecords waits until table's topic holds every id of want from
// webhook: a plan that ran again republishes its earlier pages
// (at-least-once), so the topic may hold more messages than ids.
func (w *world) distinctRecords(t *testing.T, table, webhook string, want []string, within time.Duration) {
	t.Helper()
	missing := len(want)
	testenv.Eventually(t, within, table+" records of "+webhook, func() bool {
		got := map[string]bool{}
		for _, m := range w.rawRecords(t, table) {
			r := w.decode(t, m)
			if r.str(schemas.FieldWebhookID) == webhook {
				got[r.str(schemas.FieldID)] = true
			}
		}
		missing = 0
		for _, id := range want {
			if !got[id] {
				missing++
			}
		}
		return missing == 0
	})
}

// served returns the ids of the emulator's records of resource for link.
func (w *world) served(t *testing.T, resource, link string) []string {
	t.Helper()
	raws, err := w.emu.Records(resource, url.Values{"link": {link}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, raw := range raws {
		var r record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, r.str("id"))
	}
	return ids
}

// A Belvo that answers 403 access_to_resource_denied for one link's bills:
// that event goes to the dead-letter topic at once (no retry) with an
// error_events fact saying why, and neither the link's later events nor
// other links wait behind it.
func TestAccessDeniedIsDeadLetteredAndTheLinkGoesOn(t *testing.T) {
	cfg := emulator.Config{Seed: 7, Links: 2, Records: 5}
	links := linkIDs(t, cfg)
	denied, other := links[0], links[1]
	cfg.Faults.Denied = []string{denied + ":/api/bills/"}
	w := newWorld(t, cfg)
	r := w.startFetcher(nil)

	w.post(t, webhook("w-denied", "BILLS", "historical_update", denied, map[string]any{"total_bills": 5}))
	// The refusal has been answered, so the event is being handled: what
	// follows for the link queues behind it.
	testenv.Eventually(t, 60*time.Second, "Belvo's 403 to the denied bills", func() bool { return len(w.requestsTo("/api/bills/")) > 0 })
	w.post(t, webhook("w-after", "ACCOUNTS", "historical_update", denied, map[string]any{"total_accounts": 5}))
	w.post(t, webhook("w-other", "ACCOUNTS", "historical_update", other, map[string]any{"total_accounts": 5}))
	w.post(t, webhook("w-other-bills", "BILLS", "historical_update", other, map[string]any{"total_bills": 5}))

	byWebhook := map[string]int{}
	for _, rec := range w.records("accounts", 10, 60*time.Second) {
		byWebhook[rec.str(schemas.FieldWebhookID)]++
	}
	if byWebhook["w-after"] != 5 || byWebhook["w-other"] != 5 {
		t.Fatalf("account records by webhook %v, want 5 of the denied link's later event and 5 of the other link", byWebhook)
	}
	for _, rec := range w.records("bills", 5, 60*time.Second) {
		if rec.str(schemas.FieldWebhookID) != "w-other-bills" {
			t.Fatalf("bill record from %s", rec.str(schemas.FieldWebhookID))
		}
	}
	facts := w.records(factErrors, 1, 60*time.Second)
	if f := facts[0]; f.str(schemas.FieldWebhookID) != "w-denied" || f.str("error_code") != "access_to_resource_denied" ||
		!strings.Contains(f.str("error_message"), "HTTP 403") || f.str("webhook_type") != "BILLS" {
		t.Fatalf("error_events fact %v, want w-denied with Belvo's access_to_resource_denied", f)
	}
	var dead map[string]map[string]string
	testenv.Eventually(t, 30*time.Second, "the denied event in the dead-letter topic", func() bool {
		dead = w.deadLetterHeaders(t)
		return len(dead) > 0
	})
	if h := dead["w-denied"]; len(dead) != 1 || h[headerReason] != "access_denied" || !strings.Contains(h[headerError], "access_to_resource_denied") ||
		h[headerLinkID] != denied || h[headerTopic] != schemas.WebhookTopic(w.prefix, "BILLS") {
		t.Fatalf("dead letters %v, want only w-denied with reason access_denied", dead)
	}
	var refusals int
	for _, req := range w.requestsTo("/api/bills/") {
		if strings.Contains(req.RawQuery, denied) {
			refusals++
			if req.Status != http.StatusForbidden {
				t.Fatalf("denied link's bills answered %d", req.Status)
			}
		}
	}
	if refusals != 1 {
		t.Fatalf("the denied bills were asked for %d times, want once: a refusal is not retried", refusals)
	}
	m := r.metricsText(t)
	for _, want := range []string{`fetcher_dead_letters_total{reason="access_denied"} 1`,
		`fetcher_events_total{code="historical_update",outcome="dead_letter",type="BILLS"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if strings.Contains(m, "fetcher_events_parked_total{") {
		t.Error("an event was parked")
	}
}

// Belvo's burst page (403 HTML, not JSON) is throttling: the event is run
// again with backoff until the burst clears, and nothing is dead-lettered.
func TestBurstPageIsRetriedUntilItClears(t *testing.T) {
	// Three requests per 2 s: a three-page listing fits when it starts on a
	// quiet window, the link's second listing right after it does not, even
	// on a host so busy that a request takes a few hundred milliseconds (at
	// 300 ms windows such a host answered no burst page at all).
	cfg := emulator.Config{Seed: 7, Links: 1, Records: 30, Faults: emulator.Faults{BurstLimit: 3, BurstWindow: 2 * time.Second}}
	w := newWorld(t, cfg)
	// One try per request: the burst page reaches the fetcher's decision
	// instead of being absorbed by the client's own retries.
	r := w.startFetcher(map[string]string{"BELVO_MAX_TRIES": "1", "BELVO_PAGE_SIZE": "10"})
	link := w.emu.Links()[0].ID

	w.post(t, webhook("w-acc", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 30}))
	w.post(t, webhook("w-bills", "BILLS", "historical_update", link, map[string]any{"total_bills": 30}))
	w.distinctRecords(t, "accounts", "w-acc", w.served(t, "accounts", link), 90*time.Second)
	w.distinctRecords(t, "bills", "w-bills", w.served(t, "bills", link), 90*time.Second)

	bursts := 0
	for _, req := range w.emu.Requests() {
		if req.Status == http.StatusForbidden {
			bursts++
		}
	}
	if bursts == 0 {
		t.Fatal("no burst page was answered: the test proves nothing")
	}
	if dead := w.deadLetterHeaders(t); len(dead) != 0 {
		t.Fatalf("dead letters %v, want none for throttling", dead)
	}
	m := r.metricsText(t)
	if strings.Contains(m, "fetcher_dead_letters_total{") || strings.Contains(m, "fetcher_events_parked_total{") {
		t.Fatalf("throttling was dead-lettered or parked:\n%s", grepLines(m, "fetcher_dead_letters_total", "fetcher_events_parked_total"))
	}
	if !strings.Contains(m, "fetcher_plan_retries_total ") || strings.Contains(m, "fetcher_plan_retries_total 0\n") {
		t.Fatal("no plan was retried")
	}
	t.Logf("%d burst pages answered, all events loaded", bursts)
}

// A 408 request_timeout is Belvo asking for less data: the event runs
// again with half the page_size until Belvo answers, and its records load
// once each.
func TestRequestTimeoutAsksForSmallerPages(t *testing.T) {
	cfg := emulator.Config{Seed: 7, Links: 1, Records: 45, Faults: emulator.Faults{TimeoutPageSize: 30}}
	w := newWorld(t, cfg)
	r := w.startFetcher(map[string]string{"BELVO_PAGE_SIZE": "100"})
	link := w.emu.Links()[0].ID

	w.post(t, webhook("w-big", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 45}))
	for _, rec := range w.records("accounts", 45, 60*time.Second) {
		if rec.str(schemas.FieldWebhookID) != "w-big" {
			t.Fatalf("account record from %s", rec.str(schemas.FieldWebhookID))
		}
	}
	var got []string
	for _, req := range w.requestsTo("/api/accounts/") {
		q, _ := url.ParseQuery(req.RawQuery)
		got = append(got, q.Get("page_size")+":"+strconv.Itoa(req.Status))
	}
	want := "[100:408 50:408 25:200 25:200]"
	if s := "[" + strings.Join(got, " ") + "]"; s != want {
		t.Fatalf("page_size:status of the requests %s, want %s", s, want)
	}
	if m := r.metricsText(t); strings.Contains(m, "fetcher_dead_letters_total{") {
		t.Fatal("a 408 was dead-lettered")
	}
}

// An event that keeps failing transiently (bills unavailable at Belvo) is
// parked once its budget of attempts is spent: it goes to the dead-letter
// topic with the last error and an error_events fact, its offset is
// committed, and the link's next event loads.
func TestRetryBudgetParksAndTheLinkGoesOn(t *testing.T) {
	cfg := emulator.Config{Seed: 7, Links: 1, Records: 5, Faults: emulator.Faults{UnavailablePaths: []string{"/api/bills/"}}}
	w := newWorld(t, cfg)
	r := w.startFetcher(map[string]string{EnvRetryMaxTries: "3", EnvRetryMaxAge: "1h", "BELVO_MAX_TRIES": "1"})
	link := w.emu.Links()[0].ID

	w.post(t, webhook("w-stuck", "BILLS", "historical_update", link, map[string]any{"total_bills": 5}))
	testenv.Eventually(t, 60*time.Second, "the first 503 to the bills", func() bool { return len(w.requestsTo("/api/bills/")) > 0 })
	w.post(t, webhook("w-next", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 5}))

	for _, rec := range w.records("accounts", 5, 60*time.Second) {
		if rec.str(schemas.FieldWebhookID) != "w-next" {
			t.Fatalf("account record from %s", rec.str(schemas.FieldWebhookID))
		}
	}
	facts := w.records(factErrors, 1, 30*time.Second)
	if f := facts[0]; f.str(schemas.FieldWebhookID) != "w-stuck" || f.str("error_code") != parkedErrorCode ||
		!strings.Contains(f.str("error_message"), "3 attempts") || !strings.Contains(f.str("error_message"), "HTTP 503") {
		t.Fatalf("error_events fact %v, want w-stuck parked naming its last error", f)
	}
	var dead map[string]map[string]string
	testenv.Eventually(t, 30*time.Second, "the parked event in the dead-letter topic", func() bool {
		dead = w.deadLetterHeaders(t)
		return len(dead) > 0
	})
	h := dead["w-stuck"]
	if len(dead) != 1 || h[headerReason] != reasonParked || h[headerLastReason] != "http_503" || h[headerAttempts] != "3" ||
		!strings.Contains(h[headerError], "service_unavailable") || h[headerFirstFailed] == "" {
		t.Fatalf("dead letters %v, want w-stuck parked after 3 attempts of http_503", dead)
	}
	if n := len(w.requestsTo("/api/bills/")); n != 3 {
		t.Fatalf("%d requests for the bills, want 3 (one per attempt)", n)
	}
	// The parked event's offset is finished: the group commits past it.
	stuck := w.webhookEvents(t, []string{"BILLS"}, 1)[0]
	testenv.Eventually(t, 30*time.Second, "the parked event's offset committed", func() bool {
		return w.committedOffsets(t, w.prefix+"-fetcher")[partition{stuck.topic, stuck.partition}] > stuck.offset
	})
	m := r.metricsText(t)
	for _, want := range []string{`fetcher_events_parked_total{reason="http_503"} 1`, `fetcher_dead_letters_total{reason="parked"} 1`,
		`fetcher_events_total{code="historical_update",outcome="parked",type="BILLS"} 1`} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if n := r.f.retries.size(); n != 0 {
		t.Errorf("%d events still have tries after all finished", n)
	}
}

// The budget's other bound: an event failing for longer than
// FETCHER_RETRY_MAX_AGE is parked however few attempts it made.
func TestRetryBudgetParksByAge(t *testing.T) {
	cfg := emulator.Config{Seed: 7, Links: 1, Records: 5, Faults: emulator.Faults{UnavailablePaths: []string{"/api/bills/"}}}
	w := newWorld(t, cfg)
	r := w.startFetcher(map[string]string{EnvRetryMaxTries: "1000", EnvRetryMaxAge: "1500ms", "BELVO_MAX_TRIES": "1"})
	link := w.emu.Links()[0].ID

	w.post(t, webhook("w-old", "BILLS", "historical_update", link, map[string]any{"total_bills": 5}))
	w.post(t, webhook("w-next", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 5}))
	w.records("accounts", 5, 60*time.Second)
	var dead map[string]map[string]string
	testenv.Eventually(t, 30*time.Second, "the parked event in the dead-letter topic", func() bool {
		dead = w.deadLetterHeaders(t)
		return len(dead) > 0
	})
	h := dead["w-old"]
	attempts, _ := strconv.Atoi(h[headerAttempts])
	first, err := time.Parse(time.RFC3339Nano, h[headerFirstFailed])
	if h[headerReason] != reasonParked || attempts < 2 || attempts >= 1000 || err != nil {
		t.Fatalf("dead letter %v, want w-old parked by age after a few attempts", h)
	}
	reqs := w.requestsTo("/api/bills/")
	if span := reqs[len(reqs)-1].Time.Sub(first); span < 1500*time.Millisecond-100*time.Millisecond {
		t.Fatalf("parked %v after the first failure, want about the 1.5s budget", span)
	}
	if m := r.metricsText(t); !strings.Contains(m, `fetcher_events_parked_total{reason="http_503"} 1`) {
		t.Error("the parked event is not counted")
	}
}

// grepLines returns the lines of text that contain any of subs.
func grepLines(text string, subs ...string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		for _, s := range subs {
			if strings.Contains(l, s) {
				out = append(out, l)
				break
			}
		}
	}
	return strings.Join(out, "\n")
}
