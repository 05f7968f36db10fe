package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"time"

	"github.com/google/uuid"

	"github.com/finflow/belvo-pipeline/schemas"
)

// timeLayout is how Belvo writes created_at and collected_at.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// dateLayout is Belvo's YYYY-MM-DD.
const dateLayout = "2006-01-02"

// historyDays is how far back record dates reach: Belvo's historical
// update covers the last year of transactions.
const historyDays = 365

// createdDays is how far back historical records were created, so that a
// created_at__range of today selects exactly the records added today.
const createdDays = 90

// record is one served record and what the filters read from it.
type record struct {
	id        string
	link      string
	created   time.Time
	createdOn string // created's date, YYYY-MM-DD: created_at__range compares it on every request
	date      string // value of the resource's DateField, YYYY-MM-DD
	year      int    // ejercicio of tax returns, 0 elsewhere
	flow      string // INFLOW or OUTFLOW where the resource has a type
	cancelled bool
	deleted   bool
	revision  int // bumped by an update: the record is drawn again
	raw       []byte
}

// generator derives records from the seed: the same seed, link, resource
// and index always give the same record, whatever the order of requests.
type generator struct {
	seed  int
	now   time.Time
	today time.Time
	tmpl  map[string][]byte
	// parsed templates, decoded once: records are deep copies of them.
	parsed map[string]map[string]any
}

func newGenerator(seed int, now time.Time, tmpl map[string][]byte) (*generator, error) {
	now = now.UTC()
	g := &generator{seed: seed, now: now, today: now.Truncate(24 * time.Hour), tmpl: tmpl, parsed: map[string]map[string]any{}}
	for name, raw := range tmpl {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber() // keeps Belvo's numbers as written
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		g.parsed[name] = m
	}
	return g, nil
}

// deepCopy copies decoded JSON.
func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(x))
		for k, c := range x {
			m[k] = deepCopy(c)
		}
		return m
	case []any:
		s := make([]any, len(x))
		for i, c := range x {
			s[i] = deepCopy(c)
		}
		return s
	}
	return v
}

// key joins the seed and parts into a stable name.
func (g *generator) key(parts ...any) string {
	return fmt.Sprint(append([]any{g.seed}, parts...)...)
}

// uuidOf is a name-based UUID: deterministic and well-formed.
func (g *generator) uuidOf(parts ...any) string {
	return uuid.NewSHA1(uuid.NameSpaceOID, []byte(g.key(parts...))).String()
}

// rng is a random stream private to one record.
func (g *generator) rng(parts ...any) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(g.key(parts...)))
	s := h.Sum64()
	return rand.New(rand.NewPCG(s, s^0x9e3779b97f4a7c15))
}

// count is how many historical records a link has of res.
func count(res schemas.Resource, records int) int {
	switch res.Name {
	case "incomes", "risk_insights":
		return 1 // Belvo's webhooks say total_incomes and total_risk_insights are always 1
	}
	return records
}

// hasFlow says whether res has an INFLOW/OUTFLOW type: its template has one.
func (g *generator) hasFlow(res schemas.Resource) bool {
	t, _ := g.parsed[res.Name]["type"].(string)
	return t == "INFLOW" || t == "OUTFLOW"
}

// historical builds record i of n that existed before today: created over
// the last createdDays days, dated over the last year.
func (g *generator) historical(res schemas.Resource, l *link, i, n int) *record {
	r := g.rng(l.id, res.Name, i)
	step := 0
	if n > 1 {
		step = i * (createdDays - 1) / (n - 1)
	}
	created := g.today.AddDate(0, 0, -createdDays+step).Add(time.Duration(r.Int64N(int64(24 * time.Hour))))
	date := created
	if res.DateField != "created_at" {
		date = g.today.AddDate(0, 0, -historyDays+r.IntN(historyDays))
	}
	rec := &record{id: g.uuidOf(l.id, res.Name, i), link: l.id, created: created, createdOn: created.Format(dateLayout), date: date.Format(dateLayout)}
	g.vary(res, rec, r, i)
	return rec
}

// fresh builds a record created today (new_*_available, async POSTs).
func (g *generator) fresh(res schemas.Resource, l *link, i int, flow string) *record {
	r := g.rng(l.id, res.Name, "fresh", i)
	elapsed := g.now.Sub(g.today)
	created := g.today
	if elapsed > 0 {
		created = g.today.Add(time.Duration(r.Int64N(int64(elapsed))))
	}
	rec := &record{id: g.uuidOf(l.id, res.Name, "fresh", i), link: l.id, created: created, createdOn: created.Format(dateLayout), date: g.today.Format(dateLayout)}
	g.vary(res, rec, r, i)
	if flow != "" && rec.flow != "" {
		rec.flow = flow
	}
	return rec
}

// vary sets the analytic attributes a filter reads.
func (g *generator) vary(res schemas.Resource, rec *record, r *rand.Rand, i int) {
	if g.hasFlow(res) {
		rec.flow = "OUTFLOW"
		if r.IntN(5) < 2 {
			rec.flow = "INFLOW"
		}
	}
	if res.Name == "tax_returns" {
		rec.year = g.today.Year() - 1 - i%5
	}
}

// money is a positive amount with two decimals, as a JSON number.
func money(r *rand.Rand, lo, hi int) json.Number {
	cents := lo*100 + r.IntN((hi-lo)*100)
	return json.Number(fmt.Sprintf("%d.%02d", cents/100, cents%100))
}

// amountKeys are the top-level money fields varied per resource; the rest
// of the template keeps Belvo's example values.
func amountKeys(resource string) []string {
	switch resource {
	case "transactions":
		return []string{"amount", "local_currency_amount"}
	case "bills":
		return []string{"total_amount", "minimum_amount"}
	case "investment_transactions":
		return []string{"gross_value", "net_value", "value"}
	case "recurring_expenses":
		return []string{"average_transaction_amount", "median_transaction_amount"}
	case "tax_retentions":
		return []string{"total_invoice_amount", "total_retained_amount"}
	}
	return nil
}

// render turns rec into the JSON Belvo would serve: the resource's template
// with the identifying and analytic fields replaced.
func (g *generator) render(res schemas.Resource, l *link, rec *record) ([]byte, error) {
	m := deepCopy(g.parsed[res.Name]).(map[string]any)
	r := g.rng(rec.id, "render", rec.revision)
	set := func(k string, v any) {
		if _, ok := m[k]; ok {
			m[k] = v
		}
	}
	set("id", rec.id)
	set("link", l.id)
	set("created_at", rec.created.Format(timeLayout))
	set("collected_at", rec.created.Add(-time.Duration(r.IntN(600))*time.Second).Format(timeLayout))
	if res.DateField != "created_at" {
		set(res.DateField, rec.date)
	}
	if rec.flow != "" {
		set("type", rec.flow)
	}
	if acc, ok := m["account"].(map[string]any); ok && len(l.accountIDs) > 0 {
		acc["id"] = l.accountIDs[r.IntN(len(l.accountIDs))]
		acc["link"] = l.id
	}
	set("internal_identification", fmt.Sprintf("%X", r.Uint64()))
	for _, k := range amountKeys(res.Name) {
		set(k, money(r, 1, 5000))
	}
	switch res.Name {
	case "transactions":
		set("accounting_date", rec.date)
		set("inferred_accounting_date", rec.date)
		set("status", []string{"PROCESSED", "PROCESSED", "PROCESSED", "PENDING"}[r.IntN(4)])
	case "invoices":
		sub := money(r, 10, 50000)
		f, _ := sub.Float64()
		tax := fmt.Sprintf("%.2f", f*0.16)
		set("subtotal_amount", sub)
		set("tax_amount", json.Number(tax))
		set("discount_amount", json.Number("0.00"))
		set("total_amount", json.Number(fmt.Sprintf("%.2f", f+f*0.16)))
		set("invoice_identification", uuid.NewSHA1(uuid.NameSpaceOID, []byte(rec.id)).String())
		set("certification_date", rec.date)
		set("status", "Vigente")
		if rec.cancelled {
			set("status", "Cancelado")
			set("cancelation_status", "Cancelado sin aceptación")
			set("cancelation_update_date", g.today.Format(dateLayout))
		}
	case "tax_returns":
		if info, ok := m["informacion_general"].(map[string]any); ok {
			info["ejercicio"] = rec.year
		}
	}
	return json.Marshal(m)
}

// renderLink is a link in Belvo's GET /api/links/ shape.
func (g *generator) renderLink(l *link) ([]byte, error) {
	m := deepCopy(g.parsed[linkTemplate]).(map[string]any)
	m["id"] = l.id
	m["institution"] = l.institution
	m["external_id"] = l.externalID
	m["created_at"] = l.created.Format(timeLayout)
	m["last_accessed_at"] = g.now.Format(timeLayout)
	m["status"] = "valid"
	m["access_mode"] = "recurrent"
	return json.Marshal(m)
}
