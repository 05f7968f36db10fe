package belvo

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/finflow/belvo-pipeline/schemas"
)

// DateLayout is Belvo's date format in filters and records.
const DateLayout = "2006-01-02"

// DateRange is an inclusive range of calendar days, sent as "from,to".
type DateRange struct{ From, To time.Time }

// IsZero reports an unset range.
func (r DateRange) IsZero() bool { return r.From.IsZero() && r.To.IsZero() }

func (r DateRange) String() string { return r.From.Format(DateLayout) + "," + r.To.Format(DateLayout) }

// Days builds a DateRange from two YYYY-MM-DD dates.
func Days(from, to string) (DateRange, error) {
	f, err := time.Parse(DateLayout, from)
	if err != nil {
		return DateRange{}, fmt.Errorf("date %q: want YYYY-MM-DD", from)
	}
	t, err := time.Parse(DateLayout, to)
	if err != nil {
		return DateRange{}, fmt.Errorf("date %q: want YYYY-MM-DD", to)
	}
	if t.Before(f) {
		return DateRange{}, fmt.Errorf("date range %s,%s ends before it starts", from, to)
	}
	return DateRange{From: f, To: t}, nil
}

// YearRange is an inclusive range of fiscal years (ejercicio), sent as "from,to".
type YearRange struct{ From, To int }

// IsZero reports an unset range.
func (r YearRange) IsZero() bool { return r.From == 0 && r.To == 0 }

func (r YearRange) String() string { return strconv.Itoa(r.From) + "," + strconv.Itoa(r.To) }

// Flow is the direction filter of transactions and invoices.
type Flow string

// The two directions Belvo knows.
const (
	Inflow  Flow = "INFLOW"
	Outflow Flow = "OUTFLOW"
)

// Query is the filters of one list call. Zero fields are not sent.
type Query struct {
	Link        string
	CreatedAt   DateRange // created_at__range
	IDs         []string  // id__in
	Type        Flow      // type
	ValueDate   DateRange // value_date__range (transactions)
	InvoiceDate DateRange // invoice_date__range (invoices)
	Ejercicio   YearRange // ejercicio__range (tax returns)
	Page        int       // first page to ask for, 1-based; 0 means 1
	PageSize    int       // 0 means the client's configured page size
}

// Values encodes q as Belvo's query parameters.
func (q Query) Values() url.Values {
	v := url.Values{}
	if q.Link != "" {
		v.Set("link", q.Link)
	}
	if !q.CreatedAt.IsZero() {
		v.Set(schemas.FilterCreatedAtRange, q.CreatedAt.String())
	}
	if len(q.IDs) > 0 {
		v.Set(schemas.FilterIDIn, strings.Join(q.IDs, ","))
	}
	if q.Type != "" {
		v.Set(schemas.FilterType, string(q.Type))
	}
	if !q.ValueDate.IsZero() {
		v.Set(schemas.FilterValueDateRange, q.ValueDate.String())
	}
	if !q.InvoiceDate.IsZero() {
		v.Set(schemas.FilterInvoiceDateRange, q.InvoiceDate.String())
	}
	if !q.Ejercicio.IsZero() {
		v.Set(schemas.FilterEjercicioRange, q.Ejercicio.String())
	}
	if q.Page > 0 {
		v.Set("page", strconv.Itoa(q.Page))
	}
	if q.PageSize > 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	return v
}

// SetFilter parses value into the typed field of filter, one of the
// schemas.Filter* names, so a plan built from schemas.Catalogue (whose
// values come from webhook data) is checked before any request is made.
func (q *Query) SetFilter(filter, value string) error {
	switch filter {
	case schemas.FilterCreatedAtRange, schemas.FilterValueDateRange, schemas.FilterInvoiceDateRange:
		from, to, ok := strings.Cut(value, ",")
		if !ok {
			return fmt.Errorf("%s=%q: want from,to", filter, value)
		}
		r, err := Days(strings.TrimSpace(from), strings.TrimSpace(to))
		if err != nil {
			return fmt.Errorf("%s: %w", filter, err)
		}
		switch filter {
		case schemas.FilterCreatedAtRange:
			q.CreatedAt = r
		case schemas.FilterValueDateRange:
			q.ValueDate = r
		default:
			q.InvoiceDate = r
		}
	case schemas.FilterEjercicioRange:
		from, to, ok := strings.Cut(value, ",")
		f, err1 := strconv.Atoi(strings.TrimSpace(from))
		t, err2 := strconv.Atoi(strings.TrimSpace(to))
		if !ok || err1 != nil || err2 != nil || t < f {
			return fmt.Errorf("%s=%q: want year,year", filter, value)
		}
		q.Ejercicio = YearRange{From: f, To: t}
	case schemas.FilterIDIn:
		q.IDs = nil
		for _, id := range strings.Split(value, ",") {
			if id = strings.TrimSpace(id); id != "" {
				q.IDs = append(q.IDs, id)
			}
		}
		if len(q.IDs) == 0 {
			return fmt.Errorf("%s: no ids", filter)
		}
	case schemas.FilterType:
		switch f := Flow(strings.ToUpper(strings.TrimSpace(value))); f {
		case Inflow, Outflow:
			q.Type = f
		default:
			return fmt.Errorf("%s=%q: want INFLOW or OUTFLOW", filter, value)
		}
	default:
		return fmt.Errorf("unknown filter %q", filter)
	}
	return nil
}
