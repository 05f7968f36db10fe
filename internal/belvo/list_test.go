package belvo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/schemas"
)

// TestListStreamsThousandsOfRecordsPageByPage pins pagination: 2,500
// transactions arrive in three pages of at most 1,000, in order, each
// record byte-identical to what the emulator serves, following next.
func TestListStreamsThousandsOfRecordsPageByPage(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 2500})
	c := client(t, srv.URL, newFakeClock(), nil)
	link := e.Links()[0].ID
	want, err := e.Records("transactions", url.Values{"link": {link}})
	if err != nil {
		t.Fatal(err)
	}
	var got []json.RawMessage
	var sizes []int
	err = c.List(t.Context(), "/api/transactions/", belvo.Query{Link: link}, func(p belvo.Page) error {
		if p.Count != 2500 || p.Number != len(sizes)+1 {
			t.Errorf("page %d: count %d, number %d", len(sizes)+1, p.Count, p.Number)
		}
		sizes = append(sizes, len(p.Records))
		got = append(got, p.Records...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(sizes) != 3 || sizes[0] != 1000 || sizes[1] != 1000 || sizes[2] != 500 {
		t.Fatalf("page sizes %v, want [1000 1000 500]", sizes)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs from the bytes served:\n got %s\nwant %s", i, got[i], want[i])
		}
	}
	for i, r := range e.Requests() {
		q, _ := url.ParseQuery(r.RawQuery)
		if q.Get("page_size") != "1000" || q.Get("link") != link {
			t.Errorf("request %d %s?%s: want link and page_size=1000 on every page", i, r.Path, r.RawQuery)
		}
	}
}

// TestReleasedBodiesNeverOverwriteKeptPages pins Page.Release: a released
// page's body may be read into again, a page not released is never
// touched. Every other page is released at once (its records copied
// first), the rest are kept to the end; all must hold what was served.
func TestReleasedBodiesNeverOverwriteKeptPages(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 2500})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 }) // 560 kB a page: pooled
	link := e.Links()[0].ID
	want, err := e.Records("transactions", url.Values{"link": {link}})
	if err != nil {
		t.Fatal(err)
	}
	var got []json.RawMessage
	err = c.List(t.Context(), "/api/transactions/", belvo.Query{Link: link}, func(p belvo.Page) error {
		if p.Number%2 == 0 {
			for _, r := range p.Records {
				got = append(got, bytes.Clone(r))
			}
			p.Release()
			return nil
		}
		got = append(got, p.Records...)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(want) {
		t.Fatalf("got %d records, want %d", len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d (page %d) changed after later pages were read:\n got %.200s\nwant %.200s", i, i/100+1, got[i], want[i])
		}
	}
}

// TestListStopsWhenCallbackFails pins that an error from the callback
// ends the listing at once: no further page is requested.
func TestListStopsWhenCallbackFails(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 300})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	stop := errors.New("stop here")
	err := c.List(t.Context(), "/api/transactions/", belvo.Query{Link: e.Links()[0].ID}, func(belvo.Page) error { return stop })
	if !errors.Is(err, stop) || len(e.Requests()) != 1 {
		t.Fatalf("err %v after %d requests; want the callback's error after 1", err, len(e.Requests()))
	}
}

func ids(t *testing.T, raws []json.RawMessage) []string {
	t.Helper()
	out := make([]string, len(raws))
	for i, r := range raws {
		var rec struct{ ID string }
		if err := json.Unmarshal(r, &rec); err != nil {
			t.Fatal(err)
		}
		out[i] = rec.ID
	}
	return out
}

// TestEveryFilterSelectsWhatBelvoWould pins each typed filter: the client
// encodes it as Belvo expects and gets exactly the emulator's selection,
// which is neither empty nor everything.
func TestEveryFilterSelectsWhatBelvoWould(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 2, Records: 240})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 50 })
	link := e.Links()[0].ID
	all, _ := e.Records("transactions", url.Values{"link": {link}})
	someIDs := ids(t, all)[10:13]
	year := time.Now().UTC().Year() - 2
	days := func(from, to time.Time) belvo.DateRange { return belvo.DateRange{From: from, To: to} }
	today := time.Now().UTC().Truncate(24 * time.Hour)
	cases := []struct {
		name     string
		resource string
		q        belvo.Query
		param    string
	}{
		{"link", "accounts", belvo.Query{Link: link}, "link"},
		{"created_at__range", "bills", belvo.Query{Link: link, CreatedAt: days(today.AddDate(0, 0, -30), today)}, schemas.FilterCreatedAtRange},
		{"id__in", "transactions", belvo.Query{Link: link, IDs: someIDs}, schemas.FilterIDIn},
		{"type", "transactions", belvo.Query{Link: link, Type: belvo.Inflow}, schemas.FilterType},
		{"value_date__range", "transactions", belvo.Query{Link: link, ValueDate: days(today.AddDate(0, -3, 0), today)}, schemas.FilterValueDateRange},
		{"invoice_date__range", "invoices", belvo.Query{Link: link, Type: belvo.Outflow, InvoiceDate: days(today.AddDate(0, -6, 0), today)}, schemas.FilterInvoiceDateRange},
		{"ejercicio__range", "tax_returns", belvo.Query{Link: link, Ejercicio: belvo.YearRange{From: year - 1, To: year}}, schemas.FilterEjercicioRange},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := schemas.ResourceByName(tc.resource)
			want, err := e.Records(tc.resource, tc.q.Values())
			if err != nil {
				t.Fatal(err)
			}
			unfiltered, _ := e.Records(tc.resource, nil)
			if len(want) == 0 || len(want) == len(unfiltered) {
				t.Fatalf("filter selects %d of %d records: the case proves nothing", len(want), len(unfiltered))
			}
			before := len(e.Requests())
			var got []json.RawMessage
			if err := c.List(t.Context(), res.Path, tc.q, func(p belvo.Page) error { got = append(got, p.Records...); return nil }); err != nil {
				t.Fatal(err)
			}
			if g, w := strings.Join(ids(t, got), ","), strings.Join(ids(t, want), ","); g != w {
				t.Fatalf("got ids %d, want %d", len(got), len(want))
			}
			first := e.Requests()[before]
			if q, _ := url.ParseQuery(first.RawQuery); q.Get(tc.param) == "" {
				t.Errorf("request %s?%s lacks %s", first.Path, first.RawQuery, tc.param)
			}
		})
	}
}

// TestForeignNextIsRefusedWithoutARequest pins that a next link on another
// host is a typed error and is never requested: following it would send
// the secret key pair to that host.
func TestForeignNextIsRefusedWithoutARequest(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 150, Faults: emulator.Faults{ForeignNext: "evil.example.com"}})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	pages := 0
	err := c.List(t.Context(), "/api/accounts/", belvo.Query{}, func(belvo.Page) error { pages++; return nil })
	var fe *belvo.ForeignNextError
	if !errors.As(err, &fe) || !errors.Is(err, belvo.ErrForeignNext) || !strings.Contains(fe.Next, "evil.example.com") {
		t.Fatalf("err = %v, want a ForeignNextError naming evil.example.com", err)
	}
	if pages != 1 || len(e.Requests()) != 1 {
		t.Fatalf("%d pages delivered, %d requests made; want 1 and 1", pages, len(e.Requests()))
	}
}

// TestPagesIteratorStopsOnBreak pins that leaving the range loop early
// requests no further page.
func TestPagesIteratorStopsOnBreak(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 500})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	for p, err := range c.Pages(t.Context(), "/api/bills/", belvo.Query{Link: e.Links()[0].ID}) {
		if err != nil || p.Number != 1 {
			t.Fatalf("page %d, err %v", p.Number, err)
		}
		break
	}
	if n := len(e.Requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
}

// TestPrefetchHandsOutEveryPageInOrder pins that the prefetched listing
// serves what List does: every page once, in order, byte for byte, and
// ends without an error step after the last.
func TestPrefetchHandsOutEveryPageInOrder(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 2500})
	c := client(t, srv.URL, newFakeClock(), nil)
	link := e.Links()[0].ID
	want, err := e.Records("transactions", url.Values{"link": {link}})
	if err != nil {
		t.Fatal(err)
	}
	var got []json.RawMessage
	n := 0
	for l := range c.Prefetch(t.Context(), "/api/transactions/", belvo.Query{Link: link}, 2) {
		if l.Err != nil {
			t.Fatal(l.Err)
		}
		if n++; l.Number != n || l.Count != 2500 {
			t.Errorf("page %d: number %d, count %d", n, l.Number, l.Count)
		}
		got = append(got, l.Records...)
	}
	if n != 3 || len(got) != len(want) {
		t.Fatalf("%d pages, %d records; want 3 and %d", n, len(got), len(want))
	}
	for i := range want {
		if !bytes.Equal(got[i], want[i]) {
			t.Fatalf("record %d differs from the bytes served", i)
		}
	}
}

// TestPrefetchReadsAheadBoundedly pins the memory bound: the listing reads
// up to ahead pages the caller has not taken, and never more. Each time the
// caller takes a page, the listing catches up to the bound again.
func TestPrefetchReadsAheadBoundedly(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 1000})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	const ahead, total = 2, 10
	pages := c.Prefetch(t.Context(), "/api/transactions/", belvo.Query{Link: e.Links()[0].ID}, ahead)
	for taken := 0; taken <= total; taken++ {
		want := min(taken+ahead, total)
		deadline := time.Now().Add(10 * time.Second)
		for len(e.Requests()) < want {
			if time.Now().After(deadline) {
				t.Fatalf("%d pages taken: %d requests, want %d", taken, len(e.Requests()), want)
			}
			time.Sleep(time.Millisecond)
		}
		if n := len(e.Requests()); n > want {
			t.Fatalf("%d pages taken: %d requests, more than %d ahead", taken, n, ahead)
		}
		if taken < total {
			if l, ok := <-pages; !ok || l.Err != nil || l.Number != taken+1 {
				t.Fatalf("page %d (open %v, err %v), want %d", l.Number, ok, l.Err, taken+1)
			}
		}
	}
	if l, ok := <-pages; ok {
		t.Fatalf("a step after the last page: %+v", l.Err)
	}
}

// TestPrefetchStopsWhenCancelled pins the caller's early stop: cancelling
// ends the listing with ctx's error as its last step, no page is requested
// after it, and the goroutine ends (no leak).
func TestPrefetchStopsWhenCancelled(t *testing.T) {
	e, srv := emu(t, emulator.Config{Links: 1, Records: 1000})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	const ahead = 2
	ctx, cancel := context.WithCancel(t.Context())
	pages := c.Prefetch(ctx, "/api/transactions/", belvo.Query{Link: e.Links()[0].ID}, ahead)
	if l, ok := <-pages; !ok || l.Err != nil || l.Number != 1 {
		t.Fatalf("first page %d, open %v, err %v", l.Number, ok, l.Err)
	}
	cancel()
	var last error
	for l := range pages {
		l.Release()
		last = l.Err
	}
	if !errors.Is(last, context.Canceled) {
		t.Fatalf("last step %v, want context.Canceled", last)
	}
	if n := len(e.Requests()); n > 1+ahead {
		t.Fatalf("%d requests after taking one page and cancelling, want at most %d", n, 1+ahead)
	}
	deadline := time.Now().Add(10 * time.Second)
	for prefetching() {
		if time.Now().After(deadline) {
			t.Fatal("the listing goroutine is still running after cancel and close")
		}
		time.Sleep(time.Millisecond)
	}
}

// TestPrefetchEndsWithTheListingError pins that an error ends the listing
// after the pages before it: a foreign next link after its page, a refused
// request before any.
func TestPrefetchEndsWithTheListingError(t *testing.T) {
	steps := func(c *belvo.Client, path string) (pages int, last error) {
		for l := range c.Prefetch(t.Context(), path, belvo.Query{}, 2) {
			if l.Err != nil {
				last = l.Err
				continue
			}
			if last != nil {
				t.Fatal("a page after the error step")
			}
			pages++
		}
		return pages, last
	}
	e, srv := emu(t, emulator.Config{Links: 1, Records: 150, Faults: emulator.Faults{ForeignNext: "evil.example.com"}})
	c := client(t, srv.URL, newFakeClock(), func(cfg *belvo.Config) { cfg.PageSize = 100 })
	if n, err := steps(c, "/api/accounts/"); !errors.Is(err, belvo.ErrForeignNext) || n != 1 || len(e.Requests()) != 1 {
		t.Fatalf("%d pages, %d requests, err %v; want 1, 1 and a foreign next", n, len(e.Requests()), err)
	}
	var ae *belvo.APIError
	if n, err := steps(client(t, srv.URL+"/nowhere", newFakeClock(), nil), "/api/accounts/"); n != 0 || !errors.As(err, &ae) || ae.Status != http.StatusNotFound {
		t.Fatalf("%d pages, err %v; want none and a 404 APIError", n, err)
	}
}

// prefetching reports whether a listing goroutine of Prefetch runs.
func prefetching() bool {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	return bytes.Contains(buf, []byte("belvo.(*Client).Prefetch.func"))
}
