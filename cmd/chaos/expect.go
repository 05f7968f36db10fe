package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/records"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Tables without a (link_id, id) key of their own: webhook_events is keyed
// by webhook_id, institution_status by a key ingest derives.
const (
	tableWebhooks = "webhook_events"
	tableStatus   = "institution_status"
)

// expectation is what one table must hold once the pipeline settled.
// Keys are link_id + "/" + id, or the webhook_id for webhook_events.
type expectation struct {
	// want: the rows delivered webhooks make certain. A missing one is a loss.
	want map[string]bool
	// may: want, plus rows that webhooks Belvo gave up on (ingest may have
	// stored them before its answer was lost) or fetches that select a
	// superset of an exact list may leave. A row outside it is unexpected.
	may map[string]bool
	// count replaces the keys where they cannot be known in advance
	// (institution_status): the rows expected with FINAL.
	count  int
	counts bool
}

func newExpectation() *expectation {
	return &expectation{want: map[string]bool{}, may: map[string]bool{}}
}

func (e *expectation) add(key string, certain bool) {
	e.may[key] = true
	if certain {
		e.want[key] = true
	}
}

// expected returns the number of rows the table must hold with FINAL.
func (e *expectation) expected() int {
	if e.counts {
		return e.count
	}
	return len(e.want)
}

// recordSource is what the emulator serves: Emulator.Records.
type recordSource interface {
	Records(resource string, query url.Values) ([]json.RawMessage, error)
}

// expect derives every table's content from the emulator's deliveries:
// each delivered webhook's audit row and fact, and the records its fetch
// selects as the fetcher plans it from schemas.Catalogue, read from the
// emulator as it serves them now (deletions and updates applied). live
// tells which links the emulator still serves: a deleted link's rows must
// be gone.
func expect(src recordSource, ds []emulator.Delivery, live map[string]bool) (map[string]*expectation, error) {
	out := map[string]*expectation{tableWebhooks: newExpectation(), tableStatus: {counts: true}}
	for _, r := range schemas.Tables() {
		out[r.Name] = newExpectation()
	}
	ids := idReader{conv: map[string]*records.Converter{}}
	// Selections repeat (a load sends the same historical update of a link
	// and resource again and again): each is read once.
	type sel struct{ resource, query string }
	done := map[sel]int{} // 1: read as possible rows, 2: as certain ones
	statusBodies := map[string]bool{}
	for _, d := range ds {
		if d.WebhookID == "" {
			if d.Delivered && !statusBodies[string(d.Body)] {
				statusBodies[string(d.Body)] = true
				out[tableStatus].count++
			}
			continue
		}
		ev, err := d.Event()
		if err != nil {
			return nil, fmt.Errorf("delivery %s: %w", d.WebhookID, err)
		}
		sure := d.Delivered
		out[tableWebhooks].add(ev.WebhookID, sure)
		fact := ev.LinkID + "/" + ev.WebhookID
		data, _ := ev.Data.(map[string]any)
		if data != nil && data["errors"] != nil {
			out["error_events"].add(fact, sure)
			continue
		}
		row, ok := schemas.Lookup(ev.WebhookType, ev.WebhookCode)
		switch {
		case !ok:
			out["error_events"].add(fact, sure) // recorded as unknown_webhook
			continue
		case row.Action == schemas.LinkStatus:
			out["link_events"].add(fact, sure)
			continue
		case row.Action == schemas.ConsentStatus:
			out["consent_events"].add(fact, sure)
			continue
		}
		if !live[ev.LinkID] {
			// Belvo answers 404 for a deleted link: nothing is fetched and
			// nothing of the link may remain.
			continue
		}
		if announces(row, data) {
			out["reconciliations"].add(fact, sure)
		}
		if row.Action == schemas.Delete {
			continue // deletion rows, gone with FINAL
		}
		q, exact, some := selection(row, ev, data)
		if !some {
			continue
		}
		if !exact {
			sure = false
		}
		key, level := sel{row.Resource, q.Encode()}, 1
		if sure {
			level = 2
		}
		if done[key] >= level {
			continue
		}
		done[key] = level
		recs, err := src.Records(row.Resource, q)
		if err != nil {
			return nil, fmt.Errorf("%s/%s of link %s: what the emulator serves for %s: %w", ev.WebhookType, ev.WebhookCode, ev.LinkID, q.Encode(), err)
		}
		for _, raw := range recs {
			id, err := ids.id(row.Resource, ev.LinkID, raw)
			if err != nil {
				return nil, err
			}
			out[row.Resource].add(ev.LinkID+"/"+id, sure)
		}
	}
	return out, nil
}

// announces reports whether the fetcher writes a reconciliation for an
// event of row: it does when the event announced a count or listed ids.
func announces(row schemas.Event, data map[string]any) bool {
	if row.IDs != "" {
		if _, ok := data[row.IDs]; ok {
			return true
		}
	}
	if row.Count == "" {
		return false
	}
	_, ok := data[row.Count].(float64)
	return ok
}

// selection is the list query the fetcher sends for ev (schemas.Param),
// whether it selects exactly that (a range from the previous notification,
// Since, or one Belvo sent null bounds for widens it), and whether it
// fetches anything at all (an empty id list does not).
func selection(row schemas.Event, ev emulator.Event, data map[string]any) (q url.Values, exact, some bool) {
	q = url.Values{"link": {ev.LinkID}}
	exact = true
	if row.Action == schemas.FetchIDs || row.Action == schemas.Cancel {
		var ids []string
		list, _ := data[row.IDs].([]any)
		for _, v := range list {
			if s, ok := v.(string); ok {
				ids = append(ids, s)
			}
		}
		if len(ids) == 0 {
			return q, exact, false
		}
		q.Set(schemas.FilterIDIn, strings.Join(ids, ","))
	}
	for _, p := range row.Query {
		switch {
		case p.Const != "":
			q.Set(p.Filter, p.Const)
		case p.Since:
			exact = false // the whole link: a superset of any range
		case p.From != "" && p.To != "":
			from, okF := scalar(data[p.From])
			to, okT := scalar(data[p.To])
			if !okF || !okT {
				exact = false
				continue
			}
			q.Set(p.Filter, from+","+to)
		}
	}
	return q, exact, true
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	}
	return "", false
}

// idReader finds a record's id as the pipeline does (records.Converter: the
// record's own id, or its Key values joined).
type idReader struct{ conv map[string]*records.Converter }

func (r idReader) id(resource, link string, raw json.RawMessage) (string, error) {
	c := r.conv[resource]
	if c == nil {
		res, ok := schemas.ResourceByName(resource)
		if !ok {
			return "", fmt.Errorf("unknown resource %q", resource)
		}
		var err error
		if c, err = records.New(res); err != nil {
			return "", err
		}
		r.conv[resource] = c
	}
	m, err := c.Native(raw, records.Lineage{LinkID: link, FetchedAt: time.Now()})
	if err != nil {
		return "", fmt.Errorf("id of a %s record the emulator serves: %w", resource, err)
	}
	id, _ := m[schemas.FieldID].(string)
	return id, nil
}
