package fetcher

import (
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

var (
	planToday = time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	since30   = "2026-10-24,2026-11-23" // look-back of 30 days to today
)

// planData fills every data field a row documents with a value of its
// kind, as Belvo would.
func planData(row schemas.Event) json.RawMessage {
	d := map[string]any{}
	for _, k := range row.Data {
		switch {
		case k == row.IDs:
			d[k] = []string{"id-1", "id-2", "id-3"}
		case strings.HasSuffix(k, "_year"):
			d[k] = map[bool]int{true: 2019, false: 2023}[strings.HasPrefix(k, "first_")]
		case strings.HasPrefix(k, "first_") && strings.HasSuffix(k, "_date"):
			d[k] = "2024-01-01"
		case strings.HasPrefix(k, "last_") && strings.HasSuffix(k, "_date"):
			d[k] = "2024-12-31"
		case k == "type":
			d[k] = "INFLOW"
		case k == row.Count, strings.HasPrefix(k, "total_"), strings.HasPrefix(k, "new_"), k == "count":
			d[k] = 3
		default:
			d[k] = "x"
		}
	}
	b, _ := json.Marshal(d)
	return b
}

// want is what webhooks.md says a row does, written out by hand: the query
// of each GET call (link aside), or the fact, or the deletions.
type want struct {
	queries []string
	fact    string
	deletes int
}

func wantOf(row schemas.Event) want {
	ids := func() want { // id__in in chunks of 2 (the test's chunk size)
		return want{queries: []string{"id__in=id-1,id-2", "id__in=id-3"}}
	}
	switch row.Type + "/" + row.Code {
	case "BILLS/new_bills_available", "EMPLOYMENTS/new_employments_available",
		"INVESTMENT_TRANSACTIONS/new_investment_transactions_available", "TAX_RETURNS/new_tax_returns_available",
		"TRANSACTIONS/new_transactions_available":
		return want{queries: []string{"created_at__range=" + since30}}
	case "INVOICES/initial_inflow_update", "INVOICES/historical_inflow_update":
		return want{queries: []string{"type=INFLOW&invoice_date__range=2024-01-01,2024-12-31"}}
	case "INVOICES/initial_outflow_update", "INVOICES/historical_outflow_update":
		return want{queries: []string{"type=OUTFLOW&invoice_date__range=2024-01-01,2024-12-31"}}
	case "INVOICES/new_invoices_available", "INVOICES/invoices_cancelled", "TRANSACTIONS/transactions_updated":
		return ids()
	case "TAX_RETURNS/historical_update":
		return want{queries: []string{"ejercicio__range=2019,2023"}}
	case "TRANSACTIONS/transactions_deleted":
		return want{deletes: 3}
	}
	switch row.Type {
	case "LINK":
		return want{fact: "link_events"}
	case "CONSENT":
		return want{fact: "consent_events"}
	}
	return want{queries: []string{""}}
}

func testPlanner(prev map[string]stateEntry) *planner {
	return &planner{idChunk: 2, lookBackDays: 30, previous: func(k string) (stateEntry, bool) { e, ok := prev[k]; return e, ok }}
}

// Every catalogue row (and every alias spelling) plans the GET calls,
// facts or deletions webhooks.md gives it.
func TestPlanEveryCatalogueRow(t *testing.T) {
	p := testPlanner(nil)
	for _, row := range schemas.Catalogue {
		codes := []string{row.Code}
		if row.Alias != "" {
			codes = append(codes, row.Alias)
		}
		for _, code := range codes {
			t.Run(row.Type+"/"+code, func(t *testing.T) {
				ev := Event{WebhookID: "w1", Type: row.Type, Code: code, LinkID: "L", Data: planData(row), ReceivedAt: planToday.Add(time.Hour)}
				pl, err := p.plan(ev, planToday)
				if err != nil {
					t.Fatal(err)
				}
				w := wantOf(row)
				if pl.Fact != w.fact || len(pl.Deletions) != w.deletes {
					t.Fatalf("fact %q deletions %d, want %q %d", pl.Fact, len(pl.Deletions), w.fact, w.deletes)
				}
				if len(pl.Calls) != len(w.queries) {
					t.Fatalf("%d calls, want %d", len(pl.Calls), len(w.queries))
				}
				res, _ := schemas.ResourceByName(row.Resource)
				for i, c := range pl.Calls {
					if c.Resource.Path != res.Path {
						t.Errorf("call %d path %s, want %s", i, c.Resource.Path, res.Path)
					}
					wq, _ := url.ParseQuery(w.queries[i])
					wq.Set("link", "L")
					if got := c.Query.Values().Encode(); got != wq.Encode() {
						t.Errorf("call %d query %s, want %s", i, got, wq.Encode())
					}
				}
				if row.Count != "" && (!pl.HasCount || pl.Announced != 3) {
					t.Errorf("announced %d (has %v), want 3", pl.Announced, pl.HasCount)
				}
			})
		}
	}
}

// d1 is the previous notification's date from the state; a replay of the
// notification that wrote the state asks the same range as its first run.
func TestPlanSinceUsesStateAndReplaysTheSameRange(t *testing.T) {
	row, _ := schemas.Lookup("TRANSACTIONS", "new_transactions_available")
	key := stateKey("L", "transactions")
	cases := []struct {
		name  string
		state map[string]stateEntry
		id    string
		want  string
	}{
		{"first notification: look-back", nil, "w2", since30},
		{"previous notification", map[string]stateEntry{key: {Date: "2026-11-20", WebhookID: "w1", Prev: "2026-11-01"}}, "w2", "2026-11-20,2026-11-23"},
		{"replay of the writer", map[string]stateEntry{key: {Date: "2026-11-20", WebhookID: "w2", Prev: "2026-11-01"}}, "w2", "2026-11-01,2026-11-23"},
		{"state ahead of the clock", map[string]stateEntry{key: {Date: "2026-12-01", WebhookID: "w1"}}, "w2", "2026-11-23,2026-11-23"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := Event{WebhookID: c.id, Type: row.Type, Code: row.Code, LinkID: "L", Data: planData(row),
				ReceivedAt: time.Date(2026, 11, 22, 23, 0, 0, 0, time.UTC)}
			pl, err := testPlanner(c.state).plan(ev, planToday)
			if err != nil {
				t.Fatal(err)
			}
			if got := pl.Calls[0].Query.CreatedAt.String(); got != c.want {
				t.Fatalf("created_at__range %s, want %s", got, c.want)
			}
			if pl.State == nil || pl.State.Key != key || pl.State.Entry.Date != "2026-11-22" || pl.State.Entry.WebhookID != c.id ||
				pl.State.Entry.Prev != strings.Split(c.want, ",")[0] {
				t.Fatalf("state to write %+v", pl.State)
			}
		})
	}
}

// The seeds' quirks and the events outside the catalogue.
func TestPlanQuirksAndUnknownEvents(t *testing.T) {
	p := testPlanner(nil)
	cases := []struct {
		name     string
		ev       Event
		fact     string
		errCode  string
		calls    int
		exact    bool
		planFail bool
	}{
		{name: "error event is recorded, not fetched",
			ev:   Event{Type: "ACCOUNTS", Code: "historical_update", Errors: []WebhookError{{Code: "login_error", Message: "m"}}, Data: json.RawMessage(`{"errors":[{"code":"login_error"}]}`)},
			fact: "error_events", errCode: "login_error"},
		{name: "unknown code", ev: Event{Type: "ACCOUNTS", Code: "accounts_exploded", Data: json.RawMessage(`{}`)}, fact: "error_events", errCode: unknownEventCode},
		{name: "unknown type", ev: Event{Type: "CRYPTO", Code: "historical_update", Data: json.RawMessage(`{}`)}, fact: "error_events", errCode: unknownEventCode},
		{name: "link_deleted success with null data", ev: Event{Type: "LINK", Code: "link_deleted", Data: json.RawMessage(`null`)}, fact: "link_events"},
		{name: "SALARY_INCREASED spelling fetches employment records",
			ev: Event{Type: "EMPLOYMENT_RECORDS", Code: "employment_changes", Data: json.RawMessage(`{"employment_changes":["SALARY_INCREASED"]}`)}, calls: 1, exact: true},
		{name: "null invoice range with a zero count fetches nothing",
			ev: Event{Type: "INVOICES", Code: "historical_inflow_update", Data: json.RawMessage(`{"total_invoices":0,"first_invoice_date":null,"last_invoice_date":null}`)}, calls: 0},
		{name: "null invoice range with records widens the fetch",
			ev: Event{Type: "INVOICES", Code: "historical_inflow_update", Data: json.RawMessage(`{"total_invoices":3,"first_invoice_date":null,"last_invoice_date":null}`)}, calls: 1},
		{name: "new_* counts fetched over the whole link compare as at least", ev: Event{Type: "ACCOUNTS", Code: "new_accounts_available", Data: json.RawMessage(`{"new_accounts":2}`)}, calls: 1},
		{name: "empty id list fetches nothing", ev: Event{Type: "TRANSACTIONS", Code: "transactions_updated", Data: json.RawMessage(`{"count":0,"updated_transactions":[]}`)}, exact: true},
		{name: "bad date is a plan error", ev: Event{Type: "INVOICES", Code: "initial_inflow_update", Data: json.RawMessage(`{"first_invoice_date":"2024-13-01","last_invoice_date":"2024-12-31"}`)}, planFail: true},
		{name: "count that is not a number is a plan error", ev: Event{Type: "ACCOUNTS", Code: "historical_update", Data: json.RawMessage(`{"total_accounts":"many"}`)}, planFail: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.ev.LinkID, c.ev.WebhookID = "0284557b-df47-450a-po09e-7875195c2259", "w"
			pl, err := p.plan(c.ev, planToday)
			var pe *planError
			if c.planFail {
				if !errors.As(err, &pe) || !permanent(err) {
					t.Fatalf("err %v, want a permanent plan error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if pl.Fact != c.fact || pl.ErrCode != c.errCode || len(pl.Calls) != c.calls {
				t.Fatalf("fact %q code %q calls %d, want %q %q %d", pl.Fact, pl.ErrCode, len(pl.Calls), c.fact, c.errCode, c.calls)
			}
			if c.calls > 0 && pl.Exact != c.exact {
				t.Fatalf("exact %v, want %v", pl.Exact, c.exact)
			}
		})
	}
}
