package emulator

import (
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// link is one emulated Belvo link and its data.
type link struct {
	id          string
	institution string
	externalID  string
	created     time.Time
	deleted     bool
	refreshedAt time.Time
	accountIDs  []string
	tables      map[string][]*record // generated on first use
	fresh       map[string]int       // records added today, per resource
	conformed   bool                 // added by Conform: no generated records
}

// Link is what tests and users learn about an emulated link.
type Link struct {
	ID          string
	Institution string
	ExternalID  string
}

// institutions the links are spread over: real Belvo institution codes.
func institutionOf(i int) string {
	names := []string{"ofmockbank_br_retail", "erebor_mx_retail", "planet_mx_retail", "sat_mx_fiscal"}
	return names[i%len(names)]
}

// store holds every link's records and applies filters and mutations.
type store struct {
	gen     *generator
	records int

	mu    sync.RWMutex
	links []*link
	byID  map[string]*link
}

func newStore(gen *generator, links, records int) *store {
	s := &store{gen: gen, records: records, byID: map[string]*link{}}
	accounts, _ := schemas.ResourceByName("accounts")
	for i := range links {
		l := &link{
			id:          gen.uuidOf("link", i),
			institution: institutionOf(i),
			externalID:  gen.uuidOf("external", i),
			created:     gen.today.AddDate(0, 0, -createdDays-1),
			tables:      map[string][]*record{},
			fresh:       map[string]int{},
		}
		for j := range min(3, count(accounts, records)) {
			l.accountIDs = append(l.accountIDs, gen.uuidOf(l.id, accounts.Name, j))
		}
		s.links = append(s.links, l)
		s.byID[l.id] = l
	}
	return s
}

// table returns the records of res for l, generating them on first use.
// The caller holds s.mu for writing.
func (s *store) table(res schemas.Resource, l *link) ([]*record, error) {
	if t, ok := l.tables[res.Name]; ok {
		return t, nil
	}
	n := count(res, s.records)
	t := make([]*record, 0, n)
	for i := range n {
		rec := s.gen.historical(res, l, i, n)
		raw, err := s.gen.render(res, l, rec)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", res.Name, err)
		}
		rec.raw = raw
		t = append(t, rec)
	}
	l.tables[res.Name] = t
	return t, nil
}

// filter is a parsed list query. Zero fields do not filter.
type filter struct {
	link        string
	created     [2]string // dates, inclusive
	ids         map[string]bool
	flow        string
	valueDate   [2]string
	invoiceDate [2]string
	years       [2]int
}

// badFilter is a filter value Belvo would refuse with 400.
type badFilter struct{ field, msg string }

func (e *badFilter) Error() string { return e.field + ": " + e.msg }

// parseFilter reads the filters res supports from v. Belvo (django-filter)
// ignores parameters it does not know, and so does the emulator.
func parseFilter(res schemas.Resource, hasFlow bool, v url.Values) (filter, error) {
	f := filter{link: v.Get("link")}
	var err error
	if f.created, err = dateRange(v, schemas.FilterCreatedAtRange); err != nil {
		return f, err
	}
	if s := v.Get(schemas.FilterIDIn); s != "" {
		f.ids = map[string]bool{}
		for _, id := range strings.Split(s, ",") {
			f.ids[strings.TrimSpace(id)] = true
		}
	}
	if t := v.Get(schemas.FilterType); t != "" && hasFlow {
		if t != "INFLOW" && t != "OUTFLOW" {
			return f, &badFilter{schemas.FilterType, fmt.Sprintf("Select a valid choice. %s is not one of the available choices.", t)}
		}
		f.flow = t
	}
	switch res.DateField {
	case "value_date":
		f.valueDate, err = dateRange(v, schemas.FilterValueDateRange)
	case "invoice_date":
		f.invoiceDate, err = dateRange(v, schemas.FilterInvoiceDateRange)
	}
	if err != nil {
		return f, err
	}
	if res.Name == "tax_returns" {
		if s := v.Get(schemas.FilterEjercicioRange); s != "" {
			a, b, ok := strings.Cut(s, ",")
			y1, err1 := strconv.Atoi(a)
			y2, err2 := strconv.Atoi(b)
			if !ok || err1 != nil || err2 != nil {
				return f, &badFilter{schemas.FilterEjercicioRange, "Enter two whole numbers."}
			}
			f.years = [2]int{y1, y2}
		}
	}
	return f, nil
}

func dateRange(v url.Values, name string) ([2]string, error) {
	s := v.Get(name)
	if s == "" {
		return [2]string{}, nil
	}
	a, b, ok := strings.Cut(s, ",")
	_, err1 := time.Parse(dateLayout, a)
	_, err2 := time.Parse(dateLayout, b)
	if !ok || err1 != nil || err2 != nil {
		return [2]string{}, &badFilter{name, "Enter a valid date range (YYYY-MM-DD,YYYY-MM-DD)."}
	}
	return [2]string{a, b}, nil
}

func inRange(r [2]string, d string) bool { return r[0] == "" || (d >= r[0] && d <= r[1]) }

func (f filter) match(rec *record) bool {
	switch {
	case rec.deleted:
		return false
	case f.ids != nil && !f.ids[rec.id]:
		return false
	case f.flow != "" && rec.flow != f.flow:
		return false
	case !inRange(f.created, rec.createdOn):
		return false
	case !inRange(f.valueDate, rec.date), !inRange(f.invoiceDate, rec.date):
		return false
	case f.years[0] != 0 && (rec.year < f.years[0] || rec.year > f.years[1]):
		return false
	}
	return true
}

// errUnknownLink is a link filter naming no live link.
type errUnknownLink string

func (e errUnknownLink) Error() string { return "unknown link " + string(e) }

// list returns the records of res matching f, in a stable order.
func (s *store) list(res schemas.Resource, f filter) ([]*record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var links []*link
	if f.link != "" {
		l, ok := s.byID[f.link]
		if !ok || l.deleted {
			return nil, errUnknownLink(f.link)
		}
		links = []*link{l}
	} else {
		for _, l := range s.links {
			if !l.deleted {
				links = append(links, l)
			}
		}
	}
	var out []*record
	for _, l := range links {
		t, err := s.table(res, l)
		if err != nil {
			return nil, err
		}
		for _, rec := range t {
			if f.match(rec) {
				out = append(out, rec)
			}
		}
	}
	return out, nil
}

// liveLink returns a link that exists and is not deleted.
func (s *store) liveLink(id string) (*link, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	l, ok := s.byID[id]
	return l, ok && !l.deleted
}

// Links returns the live links.
func (s *store) Links() []Link {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []Link
	for _, l := range s.links {
		if !l.deleted {
			out = append(out, Link{ID: l.id, Institution: l.institution, ExternalID: l.externalID})
		}
	}
	return out
}

// addFresh appends n records created today to res of l; flows, when
// given, are used in turn for resources with a type. It returns them.
func (s *store) addFresh(res schemas.Resource, l *link, n int, flows ...string) ([]*record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(res, l)
	if err != nil {
		return nil, err
	}
	var added []*record
	for k := range n {
		flow := ""
		if len(flows) > 0 {
			flow = flows[k%len(flows)]
		}
		rec := s.gen.fresh(res, l, l.fresh[res.Name], flow)
		l.fresh[res.Name]++
		if rec.raw, err = s.gen.render(res, l, rec); err != nil {
			return nil, err
		}
		t = append(t, rec)
		added = append(added, rec)
	}
	l.tables[res.Name] = t
	return added, nil
}

// mutate applies fn to up to n live historical records of res for l picked
// from the end of the table (the oldest first would hide deletions in
// page 1 only), re-rendering them, and returns their ids.
func (s *store) mutate(res schemas.Resource, l *link, n int, pick func(*record) bool, fn func(*record)) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, err := s.table(res, l)
	if err != nil {
		return nil, err
	}
	var ids []string
	for i := len(t) - 1; i >= 0 && len(ids) < n; i-- {
		rec := t[i]
		if rec.deleted || rec.cancelled || (pick != nil && !pick(rec)) {
			continue
		}
		fn(rec)
		if rec.raw, err = s.gen.render(res, l, rec); err != nil {
			return nil, err
		}
		ids = append(ids, rec.id)
	}
	slices.Sort(ids)
	return ids, nil
}

// deleteLink removes l and all its data from later answers.
func (s *store) deleteLink(l *link) {
	s.mu.Lock()
	defer s.mu.Unlock()
	l.deleted = true
	l.tables = map[string][]*record{}
}

// refresh starts a refresh of l at now unless one started within cooldown;
// it returns the time left otherwise.
func (s *store) refresh(l *link, now time.Time, cooldown time.Duration) (time.Duration, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !l.refreshedAt.IsZero() && now.Sub(l.refreshedAt) < cooldown {
		return cooldown - now.Sub(l.refreshedAt), false
	}
	l.refreshedAt = now
	return 0, true
}
