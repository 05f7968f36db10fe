package emulator

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Process types Belvo puts in webhooks.
const (
	processHistorical = "historical_update"
	processRecurrent  = "recurrent_update"
	processAsyncPost  = "async_post"
	processAsyncDel   = "async_delete"
)

// envelope builds an event of link l. external_id is the link's, except
// for the types Belvo always sends null for (bills, transactions).
func envelope(l *link, typ, code, process, requestID string, data any) Event {
	ev := Event{WebhookID: newHexID(), WebhookType: typ, ProcessType: process, WebhookCode: code,
		LinkID: l.id, RequestID: requestID, Data: data}
	if typ != "BILLS" && typ != "TRANSACTIONS" && typ != "CONSENT" {
		ext := l.externalID
		ev.ExternalID = &ext
	}
	return ev
}

// selection is the set of records an event describes, chosen with the
// same filter a fetcher will send, so counts and ranges agree with what it
// will then be served.
func (e *Emulator) selection(res schemas.Resource, f filter) ([]*record, error) {
	return e.store.list(res, f)
}

// today is the emulator's current date as Belvo writes it.
func (e *Emulator) today() string { return e.store.gen.today.Format(dateLayout) }

// summarize fills the data fields of a catalogue row computable from recs:
// the count, inflow/outflow counts, first/last dates and years.
func summarize(ev schemas.Event, recs []*record) map[string]any {
	data := map[string]any{}
	if ev.Count != "" {
		data[ev.Count] = len(recs)
	}
	var in, out int
	var first, last string
	var y1, y2 int
	for _, r := range recs {
		switch r.flow {
		case "INFLOW":
			in++
		case "OUTFLOW":
			out++
		}
		if first == "" || r.date < first {
			first = r.date
		}
		if r.date > last {
			last = r.date
		}
		if y1 == 0 || r.year < y1 {
			y1 = r.year
		}
		if r.year > y2 {
			y2 = r.year
		}
	}
	for _, k := range ev.Data {
		switch {
		case k == "total_inflow_transactions":
			data[k] = in
		case k == "total_outflow_transactions":
			data[k] = out
		case k == "first_tax_return_year":
			data[k] = y1
		case k == "last_tax_return_year":
			data[k] = y2
		case strings.HasPrefix(k, "first_") && strings.HasSuffix(k, "_date"):
			data[k] = nullable(first)
		case (strings.HasPrefix(k, "last_") && strings.HasSuffix(k, "_date")) || k == "last_status_change_date":
			data[k] = nullable(last)
		case k == "number_of_income_streams" && len(recs) > 0:
			var inc struct {
				N json.Number `json:"number_of_income_streams"`
			}
			_ = json.Unmarshal(recs[0].raw, &inc)
			data[k] = inc.N
		}
	}
	return data
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// historicalEvent is a historical_update (or, for invoices, an
// initial_/historical_ inflow/outflow update) describing every record of
// res for l, or for invoices of one direction.
func (e *Emulator) historicalEvent(row schemas.Event, l *link, process, requestID string) (Event, error) {
	res, ok := schemas.ResourceByName(row.Resource)
	if !ok {
		return Event{}, fmt.Errorf("catalogue row %s/%s names unknown resource %q", row.Type, row.Code, row.Resource)
	}
	f := filter{link: l.id}
	for _, p := range row.Query {
		if p.Filter == schemas.FilterType {
			f.flow = p.Const
		}
	}
	recs, err := e.selection(res, f)
	if err != nil {
		return Event{}, err
	}
	if strings.HasPrefix(row.Code, "historical_") && row.Code != "historical_update" {
		// Belvo sends these per year and direction: describe the latest year.
		recs = latestYear(recs)
	}
	data := summarize(row, recs)
	if row.Type == "TAX_RETURNS" {
		data["type"] = "yearly"
	}
	return envelope(l, row.Type, row.Code, process, requestID, data), nil
}

// latestYear keeps the records dated in the latest year present.
func latestYear(recs []*record) []*record {
	var y string
	for _, r := range recs {
		if r.date[:4] > y {
			y = r.date[:4]
		}
	}
	var out []*record
	for _, r := range recs {
		if r.date[:4] == y {
			out = append(out, r)
		}
	}
	return out
}

// newEvent is a new_*_available event counting the records of res added
// today, which a created_at__range of today selects.
func (e *Emulator) newEvent(row schemas.Event, l *link, process, requestID string) (Event, error) {
	res, _ := schemas.ResourceByName(row.Resource)
	t := e.today()
	recs, err := e.selection(res, filter{link: l.id, created: [2]string{t, t}})
	if err != nil {
		return Event{}, err
	}
	data := summarize(row, recs)
	if row.Type == "TAX_RETURNS" {
		data["type"] = "yearly"
	}
	return envelope(l, row.Type, row.Code, process, requestID, data), nil
}

// refreshEvents are the historical_update events of a refresh of l, one
// per resource in fetch (webhook types; all when empty).
func (e *Emulator) refreshEvents(l *link, requestID string, fetch []string) ([]Event, error) {
	want := map[string]bool{}
	for _, f := range fetch {
		want[strings.ToUpper(f)] = true
	}
	var evs []Event
	for _, row := range schemas.Catalogue {
		if row.Action != schemas.Fetch || (row.Code != "historical_update" && !strings.HasPrefix(row.Code, "initial_")) {
			continue
		}
		if len(want) > 0 && !want[row.Type] {
			continue
		}
		ev, err := e.historicalEvent(row, l, processHistorical, requestID)
		if err != nil {
			return nil, err
		}
		evs = append(evs, ev)
	}
	return evs, nil
}

// asyncPostEvent is the webhook that ends an async POST on res: the
// catalogue's async_post row when there is one (financial statements),
// else the resource's historical update (for invoices, that of the
// requested direction) with process_type async_post, describing the
// records the request selected (f: its range and type), so its counts and
// dates are what a fetch of that range is served.
func (e *Emulator) asyncPostEvent(res schemas.Resource, l *link, requestID, flow string, f filter) (Event, error) {
	var hist *schemas.Event
	for _, row := range schemas.Catalogue {
		if row.Resource != res.Name || row.Action != schemas.Fetch {
			continue
		}
		if row.ProcessType == processAsyncPost {
			return e.newEvent(row, l, processAsyncPost, requestID)
		}
		if hist == nil && (row.Code == "historical_update" || row.Code == "historical_"+strings.ToLower(flow)+"_update") {
			r := row
			hist = &r
		}
	}
	if hist == nil {
		return Event{}, fmt.Errorf("no catalogue row answers an async POST on %s", res.Name)
	}
	recs, err := e.selection(res, f)
	if err != nil {
		return Event{}, err
	}
	return envelope(l, hist.Type, hist.Code, processAsyncPost, requestID, summarize(*hist, recs)), nil
}

// linkDeletedEvent reports the end of an async deletion: data null on
// success, Belvo's link_deletion_failed otherwise.
func (e *Emulator) linkDeletedEvent(l *link, requestID string, ok bool) Event {
	var data any
	if !ok {
		data = map[string]any{"error_code": "link_deletion_failed",
			"error_message": "There was an error while deleting the link. Please try again."}
	}
	return envelope(l, "LINK", "link_deleted", processAsyncDel, requestID, data)
}
