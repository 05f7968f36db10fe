package emulator

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Conform makes the emulator the Belvo that sent bodies (webhook payloads,
// such as the examples of Belvo's documentation): every link they name
// exists, and every count, range, type and id list they announce matches
// what the API then serves, as the fetcher plans its calls from
// schemas.Catalogue. Records it adds are created today, so a
// new_*_available count finds them in its created_at__range too. A link
// the emulator already serves is left as it is.
//
// Exact counts (a whole link, or a range and type) are met first, each by
// adding records with the selection's attributes until the selection holds
// the count; counts the fetch may exceed (new_*) then only add what is
// missing. Ids listed by id-list events become records of the link with
// those ids (cancelled for invoices_cancelled). TAX_RETURNS events count
// one type (data.type): the records carry it in their type member.
func (e *Emulator) Conform(bodies [][]byte) error {
	type need struct {
		link  *link
		res   schemas.Resource
		f     filter
		kind  string // data.type of a TAX_RETURNS event
		n     int
		exact bool
	}
	var needs []need
	for i, body := range bodies {
		var ev struct {
			Type   string                     `json:"webhook_type"`
			Code   string                     `json:"webhook_code"`
			LinkID string                     `json:"link_id"`
			Data   map[string]json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(body, &ev); err != nil {
			return fmt.Errorf("conform: webhook %d: %w", i, err)
		}
		row, ok := schemas.Lookup(ev.Type, ev.Code)
		if !ok || row.Resource == "" || ev.Data["errors"] != nil {
			continue // facts and error events: nothing served
		}
		res, ok := schemas.ResourceByName(row.Resource)
		if !ok {
			return fmt.Errorf("conform: %s/%s names unknown resource %q", row.Type, row.Code, row.Resource)
		}
		l := e.store.conformLink(ev.LinkID)
		if row.IDs != "" {
			var ids []string
			if raw := ev.Data[row.IDs]; raw != nil {
				if err := json.Unmarshal(raw, &ids); err != nil {
					return fmt.Errorf("conform: %s/%s data.%s: %w", row.Type, row.Code, row.IDs, err)
				}
			}
			if row.Action == schemas.Delete {
				continue // the records stay: an earlier event of the examples fetches them
			}
			flow := textMember(ev.Data["type"])
			if err := e.store.conformIDs(res, l, ids, flow, row.Action == schemas.Cancel); err != nil {
				return err
			}
			continue
		}
		if row.Count == "" {
			continue
		}
		n, err := strconv.Atoi(textMember(ev.Data[row.Count]))
		if err != nil {
			continue // no count announced: nothing to meet
		}
		nd := need{link: l, res: res, f: filter{link: l.id}, n: n, exact: !strings.HasPrefix(row.Count, "new_")}
		if res.Name == "tax_returns" {
			nd.kind = textMember(ev.Data["type"])
		}
		for _, p := range row.Query {
			from, to := textMember(ev.Data[p.From]), textMember(ev.Data[p.To])
			switch {
			case p.Const != "" && p.Filter == schemas.FilterType:
				nd.f.flow = p.Const
			case p.Since:
				nd.f.created = [2]string{e.today(), e.today()}
			case from == "" || to == "":
				// A null range: the fetch takes the whole link.
			case p.Filter == schemas.FilterEjercicioRange:
				y1, err1 := strconv.Atoi(from)
				y2, err2 := strconv.Atoi(to)
				if err1 != nil || err2 != nil {
					return fmt.Errorf("conform: %s/%s years %q,%q", row.Type, row.Code, from, to)
				}
				nd.f.years = [2]int{y1, y2}
			case p.Filter == schemas.FilterInvoiceDateRange || p.Filter == schemas.FilterValueDateRange:
				if res.DateField == "invoice_date" {
					nd.f.invoiceDate = [2]string{from, to}
				} else {
					nd.f.valueDate = [2]string{from, to}
				}
			}
		}
		needs = append(needs, nd)
	}
	for _, exact := range []bool{true, false} {
		for _, nd := range needs {
			if nd.exact == exact {
				if err := e.store.conformCount(nd.res, nd.link, nd.f, nd.kind, nd.n); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// textMember is a string or number member as text, "" for null or absent.
func textMember(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// conformLink returns the link id, adding it (with no records yet) when the
// emulator does not serve it.
func (s *store) conformLink(id string) *link {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.byID[id]; ok {
		return l
	}
	l := &link{id: id, institution: institutionOf(len(s.links)), externalID: s.gen.uuidOf("external", id),
		created: s.gen.today.AddDate(0, 0, -createdDays-1), tables: map[string][]*record{}, fresh: map[string]int{}, conformed: true}
	s.links = append(s.links, l)
	s.byID[id] = l
	return l
}

// conformTable is res of l; a link Conform added starts with none.
func (s *store) conformTable(res schemas.Resource, l *link) ([]*record, error) {
	if _, ok := l.tables[res.Name]; !ok && l.conformed {
		l.tables[res.Name] = []*record{}
	}
	return s.table(res, l)
}

// conformCount adds records of res to l, with the attributes f selects
// (and kind as their type), until f selects n records of that kind.
func (s *store) conformCount(res schemas.Resource, l *link, f filter, kind string, n int) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.conformTable(res, l)
	if err != nil {
		return err
	}
	have := 0
	for _, rec := range t {
		if f.match(rec) && (kind == "" || rec.flow == kind) {
			have++
		}
	}
	for ; have < n; have++ {
		rec := s.gen.fresh(res, l, l.fresh[res.Name], f.flow)
		l.fresh[res.Name]++
		switch {
		case kind != "":
			rec.flow = kind
		case f.flow != "":
			rec.flow = f.flow
		}
		if f.invoiceDate[0] != "" {
			rec.date = f.invoiceDate[0]
		}
		if f.valueDate[0] != "" {
			rec.date = f.valueDate[0]
		}
		if f.years[0] != 0 {
			rec.year = f.years[0]
		}
		if rec.raw, err = s.gen.render(res, l, rec); err != nil {
			return fmt.Errorf("render %s: %w", res.Name, err)
		}
		t = append(t, rec)
	}
	l.tables[res.Name] = t
	return nil
}

// conformIDs makes records of res with ids exist on l.
func (s *store) conformIDs(res schemas.Resource, l *link, ids []string, flow string, cancelled bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.conformTable(res, l)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, rec := range t {
		have[rec.id] = true
	}
	for _, id := range ids {
		if have[id] {
			continue
		}
		have[id] = true
		rec := s.gen.fresh(res, l, l.fresh[res.Name], flow)
		l.fresh[res.Name]++
		rec.id, rec.cancelled = id, cancelled
		if flow != "" && rec.flow != "" {
			rec.flow = flow
		}
		if rec.raw, err = s.gen.render(res, l, rec); err != nil {
			return fmt.Errorf("render %s: %w", res.Name, err)
		}
		t = append(t, rec)
	}
	l.tables[res.Name] = t
	return nil
}
