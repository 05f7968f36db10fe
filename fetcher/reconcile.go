package fetcher

import (
	"encoding/json"
	"slices"

	"github.com/finflow/belvo-pipeline/schemas"
)

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
// Otherwise the plan's own Announced and Exact stand (new_* counts over a
// created_at__range from the previous notification, ranges Belvo sent as
// null: supersets too).
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
