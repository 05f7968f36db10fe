package fetcher

import (
	"encoding/json"
	"errors"
	"net/url"
	"testing"
	"time"
)

// The webhook answering an async POST of ours fetches the range (and type)
// that request asked for, known from the state entry the request command
// wrote; before that entry arrives it waits, and past requestWait (someone
// else's request) it fetches the whole link.
func TestPlanNarrowsToTheRequestedRange(t *testing.T) {
	p := testPlanner(map[string]stateEntry{
		requestKey("tx1"):  {Date: "2026-11-23", Resource: "transactions", From: "2026-06-01", To: "2026-08-31"},
		requestKey("inv1"): {Date: "2026-11-23", Resource: "invoices", From: "2026-03-01", To: "2026-09-30", Type: "INFLOW"},
		requestKey("emp1"): {Date: "2026-11-23", Resource: "employments", From: "2026-10-01", To: "2026-11-01"},
	})
	fresh := time.Now()
	cases := []struct {
		name, typ, code, requestID, process, data, want string
		received                                        time.Time
		pending                                         bool
	}{
		{"transactions", "TRANSACTIONS", "historical_update", "tx1", "async_post",
			`{"total_transactions":4,"first_transaction_date":"2026-06-03","last_transaction_date":"2026-08-30"}`,
			"link=L&value_date__range=2026-06-01,2026-08-31", fresh, false},
		{"invoices: the request's range and type", "INVOICES", "historical_inflow_update", "inv1", "async_post",
			`{"total_invoices":2,"first_invoice_date":"2026-04-01","last_invoice_date":"2026-05-01"}`,
			"invoice_date__range=2026-03-01,2026-09-30&link=L&type=INFLOW", fresh, false},
		{"employments", "EMPLOYMENTS", "historical_update", "emp1", "async_post", `{"total_employments":1}`,
			"created_at__range=2026-10-01,2026-11-01&link=L", fresh, false},
		{"seed 001's new_transactions_updated: the request's range, not the notification's", "TRANSACTIONS", "new_transactions_updated", "tx1", "async_post",
			`{"new_transactions":4}`, "link=L&value_date__range=2026-06-01,2026-08-31", fresh, false},
		{"a refresh's answer is not ranged", "TRANSACTIONS", "historical_update", "refresh1", "historical_update",
			`{"total_transactions":9}`, "link=L", fresh, false},
		{"unknown request, just received: wait", "TRANSACTIONS", "historical_update", "later", "async_post",
			`{"total_transactions":9}`, "", fresh, true},
		{"unknown request past the wait: the whole link", "TRANSACTIONS", "historical_update", "foreign", "async_post",
			`{"total_transactions":9}`, "link=L", fresh.Add(-requestWait - time.Second), false},
		{"a request without range changes nothing", "FINANCIAL_STATEMENTS", "new_financial_statements_available", "fs", "async_post",
			`{"new_financial_statements":1}`, "link=L", fresh, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ev := Event{WebhookID: "w", Type: c.typ, Code: c.code, LinkID: "L", RequestID: c.requestID, ProcessType: c.process,
				Data: json.RawMessage(c.data), ReceivedAt: c.received}
			pl, err := p.plan(ev, planToday)
			var pending *pendingRequestError
			if c.pending {
				if !errors.As(err, &pending) || permanent(err) {
					t.Fatalf("err %v, want a transient pendingRequestError", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(pl.Calls) != 1 {
				t.Fatalf("%d calls", len(pl.Calls))
			}
			if got, _ := url.QueryUnescape(pl.Calls[0].Query.Values().Encode()); got != c.want {
				t.Fatalf("query %s, want %s", got, c.want)
			}
			// The range used is deleted with the event's summary; nothing
			// else is.
			ranged := c.want != "link=L"
			if forget := pl.Forget; ranged && forget != requestKey(c.requestID) || !ranged && forget != "" {
				t.Fatalf("forgets %q", forget)
			}
			if c.requestID == "tx1" && pl.State != nil {
				t.Fatalf("an answer to a request moves the link's notification state: %+v", pl.State)
			}
		})
	}
}
