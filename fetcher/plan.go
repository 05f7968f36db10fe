package fetcher

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Fact tables the planner routes fetch-less events to (schemas.Facts).
const (
	factLinks           = "link_events"
	factConsents        = "consent_events"
	factErrors          = "error_events"
	factRequests        = "requests"
	factReconciliations = "reconciliations"
)

// unknownEventCode is the error_code of the error_events fact recording an
// event the catalogue does not know.
const unknownEventCode = "unknown_webhook"

// Call is one list request of a plan.
type Call struct {
	Resource schemas.Resource
	Query    belvo.Query
}

// Plan is what one event asks for: list calls, deletion records or one
// fact, and what to compare and remember afterwards.
type Plan struct {
	Row       schemas.Event // zero for unknown and error events
	Known     bool
	Calls     []Call
	Resource  string   // the resource of Calls and Deletions
	Deletions []string // ids of deletion records (transactions_deleted)
	Fact      string   // facts table of the event itself, "" for none
	ErrCode   string   // error_code and error_message of an error_events fact
	ErrMsg    string

	// Announced is what the reconciliation compares the fetched count with
	// (see comparison); HasCount tells whether there was anything to
	// compare.
	Announced int
	HasCount  bool
	// Exact is false when the calls select a superset of what was announced
	// (new_* counts fetched over a whole link or from the previous
	// notification's day, a range Belvo sent as null, see comparison): then
	// matching means fetched >= announced.
	Exact bool

	// State, when set, is written once every record of the plan is
	// acknowledged: the notification date the next created_at__range
	// starts from.
	State *stateUpdate
	// Forget, when set, is a state key deleted with State: the range of
	// the asynchronous request this event answered, needed no more.
	Forget string
}

// stateUpdate is the durable state a Since plan leaves for its successor.
type stateUpdate struct {
	Key   string
	Entry stateEntry
}

// planner builds plans from schemas.Catalogue; it holds no per-resource
// knowledge of its own.
type planner struct {
	idChunk      int
	lookBackDays int
	// previous returns the state of a link and resource, if any.
	previous func(key string) (stateEntry, bool)
}

// planError is an event that can never be planned (bad payload values):
// retrying cannot help, so it is dead-lettered.
type planError struct{ err error }

func (e *planError) Error() string { return "plan: " + e.err.Error() }
func (e *planError) Unwrap() error { return e.err }

// plan returns the plan of ev as of today (a UTC date), with what its
// reconciliation compares.
func (p *planner) plan(ev Event, today time.Time) (Plan, error) {
	pl, err := p.build(ev, today)
	if err != nil || !pl.HasCount {
		return pl, err
	}
	pl.Announced, pl.Exact = comparison(ev, pl)
	return pl, nil
}

// build is the plan of ev from its catalogue row.
func (p *planner) build(ev Event, today time.Time) (Plan, error) {
	if len(ev.Errors) > 0 {
		// webhooks.md: error events are recorded, never fetched.
		return Plan{Fact: factErrors, ErrCode: ev.Errors[0].Code, ErrMsg: ev.Errors[0].Message}, nil
	}
	if ev.Origin == schemas.OriginSweep {
		return planSweep(ev) // no catalogue row: see sweep.go
	}
	row, ok := schemas.Lookup(ev.Type, ev.Code)
	if !ok {
		return Plan{Fact: factErrors, ErrCode: unknownEventCode,
			ErrMsg: fmt.Sprintf("webhook_type %q with webhook_code %q is not in the catalogue", ev.Type, ev.Code)}, nil
	}
	pl := Plan{Row: row, Known: true, Resource: row.Resource, Exact: true}
	switch row.Action {
	case schemas.LinkStatus:
		pl.Fact = factLinks
		return pl, nil
	case schemas.ConsentStatus:
		pl.Fact = factConsents
		return pl, nil
	}
	data, err := ev.dataMembers()
	if err != nil {
		return Plan{}, &planError{err}
	}
	if row.Count != "" {
		if n, ok, err := intMember(data, row.Count); err != nil {
			return Plan{}, &planError{err}
		} else if ok {
			pl.Announced, pl.HasCount = n, true
		}
		pl.Exact = !strings.HasPrefix(row.Count, "new_")
	}
	var ids []string
	if row.IDs != "" {
		if ids, err = stringList(data, row.IDs); err != nil {
			return Plan{}, &planError{err}
		}
		if !pl.HasCount {
			pl.Announced, pl.HasCount = len(ids), true
		}
	}
	if row.Action == schemas.Delete {
		pl.Deletions = ids
		return pl, nil
	}
	if pl.HasCount && pl.Announced == 0 && nullRange(row, data) {
		return pl, nil // Belvo found nothing in a range it sends as null
	}
	res, ok := schemas.ResourceByName(row.Resource)
	if !ok {
		return Plan{}, fmt.Errorf("catalogue row %s/%s names unknown resource %q", row.Type, row.Code, row.Resource)
	}
	q := belvo.Query{Link: ev.LinkID}
	if err := ownRange(ev, res, data, &q); err != nil {
		return Plan{}, &planError{err}
	}
	for _, param := range row.Query {
		value, err := p.paramValue(param, ev, res, data, today, &pl)
		if err != nil {
			return Plan{}, &planError{err}
		}
		if value == "" {
			continue
		}
		if err := q.SetFilter(param.Filter, value); err != nil {
			return Plan{}, &planError{err}
		}
	}
	if row.Action == schemas.Fetch {
		if err := p.requestRange(ev, res, &q, &pl); err != nil {
			return Plan{}, err
		}
		pl.Calls = []Call{{Resource: res, Query: q}}
		return pl, nil
	}
	// FetchIDs and Cancel: id__in in chunks short enough for any proxy.
	for start := 0; start < len(ids); start += p.idChunk {
		cq := q
		cq.IDs = ids[start:min(start+p.idChunk, len(ids))]
		pl.Calls = append(pl.Calls, Call{Resource: res, Query: cq})
	}
	return pl, nil
}

// paramValue is the text of one catalogue parameter for ev; "" leaves the
// filter out.
func (p *planner) paramValue(param schemas.Param, ev Event, res schemas.Resource, data map[string]json.RawMessage, today time.Time, pl *Plan) (string, error) {
	switch {
	case param.Const != "":
		return param.Const, nil
	case param.Since:
		key := stateKey(ev.LinkID, res.Name)
		from := today.AddDate(0, 0, -p.lookBackDays)
		if st, ok := p.previous(key); ok {
			// A replay of the event that wrote the state must ask for
			// the same range as the first run did.
			prev := st.Date
			if st.WebhookID == ev.WebhookID {
				prev = st.Prev
			}
			if d, err := time.Parse(belvo.DateLayout, prev); err == nil {
				from = d
			}
		}
		if from.After(today) {
			from = today // a clock behind the previous writer's
		}
		notified := ev.ReceivedAt.UTC()
		if notified.IsZero() {
			notified = today
		}
		pl.State = &stateUpdate{Key: key, Entry: stateEntry{
			Date: notified.Format(belvo.DateLayout), WebhookID: ev.WebhookID, Prev: from.Format(belvo.DateLayout)}}
		return from.Format(belvo.DateLayout) + "," + today.Format(belvo.DateLayout), nil
	case param.From != "" && param.To != "":
		from, okF, err := scalarMember(data, param.From)
		if err != nil {
			return "", err
		}
		to, okT, err := scalarMember(data, param.To)
		if err != nil {
			return "", err
		}
		if !okF || !okT {
			// Belvo sends null bounds when it found nothing; fetching without
			// the range can only return more, never lose a record.
			pl.Exact = false
			return "", nil
		}
		return from + "," + to, nil
	}
	return "", fmt.Errorf("catalogue parameter %s has no source", param.Filter)
}

// scalarMember returns a string or number member as text; ok is false when
// it is absent or null.
func scalarMember(data map[string]json.RawMessage, name string) (string, bool, error) {
	raw, ok := data[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return "", false, nil
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", false, fmt.Errorf("data.%s: %w", name, err)
	}
	switch v := v.(type) {
	case string:
		return v, v != "", nil
	case json.Number:
		return v.String(), true, nil
	}
	return "", false, fmt.Errorf("data.%s is %s, not a string or number", name, raw)
}

func intMember(data map[string]json.RawMessage, name string) (int, bool, error) {
	s, ok, err := scalarMember(data, name)
	if err != nil || !ok {
		return 0, ok, err
	}
	var n json.Number = json.Number(s)
	i, err := n.Int64()
	if err != nil {
		return 0, false, fmt.Errorf("data.%s = %s is not a whole number", name, s)
	}
	return int(i), true, nil
}

func stringList(data map[string]json.RawMessage, name string) ([]string, error) {
	raw, ok := data[name]
	if !ok || bytes.Equal(raw, []byte("null")) {
		return nil, nil
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return nil, fmt.Errorf("data.%s is not a list of ids: %w", name, err)
	}
	out := ids[:0]
	for _, id := range ids {
		if id = strings.TrimSpace(id); id != "" {
			out = append(out, id)
		}
	}
	return out, nil
}

// stateKey is the key of a link and resource in the state topic.
func stateKey(linkID, resource string) string { return linkID + "|" + resource }

// comparison is what a reconciliation compares the fetched count with, and
// how: Belvo's count and the fetch must mean the same thing, or a
// reconciliation reports a mismatch that is none.
//
//   - An id-list event (transactions_updated, new_invoices_available,
//     invoices_cancelled, transactions_deleted) is compared with the ids it
//     asked for, distinct ones for a list call: data.count is Belvo's word on
//     the same list, and found-vs-asked is what can disagree.
//   - An event whose data.type narrows its count (TAX_RETURNS: yearly or
//     monthly, sent as two events) when the call carries no type filter (the
//     tax-returns list has none): the fetch holds both types, a superset.
//   - An event answering an async POST whose fetch does not carry the
//     request's range (a request not ours, or its range unknown): the whole
//     link was fetched, a superset of the range Belvo counted.
//
// Otherwise what build set stands: the event's count, exact but for new_*
// counts over a created_at__range from the previous notification and
// ranges Belvo sent as null (supersets too).
func comparison(ev Event, pl Plan) (announced int, exact bool) {
	announced, exact = pl.Announced, pl.Exact
	if pl.Row.IDs != "" {
		if pl.Row.Action == schemas.Delete {
			return len(pl.Deletions), true
		}
		var ids []string
		for _, c := range pl.Calls {
			ids = append(ids, c.Query.IDs...)
		}
		slices.Sort(ids)
		return len(slices.Compact(ids)), true
	}
	data, _ := ev.dataMembers()
	if slices.Contains(pl.Row.Data, "type") && typed(data["type"]) && !callsFilter(pl, schemas.FilterType) {
		exact = false
	}
	if ev.ProcessType == processAsyncPost {
		if body, ok := schemas.AsyncBodyOf(pl.Resource); ok && body.RangeFilter != "" && !callsFilter(pl, body.RangeFilter) {
			exact = false
		}
	}
	return announced, exact
}

// typed reports whether a data member is a non-empty string.
func typed(raw json.RawMessage) bool {
	var s string
	return json.Unmarshal(raw, &s) == nil && s != ""
}

// callsFilter reports whether every call of pl sends filter.
func callsFilter(pl Plan, filter string) bool {
	if len(pl.Calls) == 0 {
		return false
	}
	for _, c := range pl.Calls {
		if !c.Query.Values().Has(filter) {
			return false
		}
	}
	return true
}
