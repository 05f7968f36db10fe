package emulator

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/seeds"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// After Conform with Belvo's documented webhooks, the API serves what each
// of them announces, as the fetcher asks for it.
func TestConformServesWhatTheSeedWebhooksAnnounce(t *testing.T) {
	exs, err := seeds.Webhooks(testenv.Root(t)+"/../shared/seeds", "000_", "002_")
	if err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for _, ex := range exs {
		bodies = append(bodies, ex.JSON)
	}
	e, srv := start(t, Config{Links: 1, Records: 3})
	if err := e.Conform(bodies); err != nil {
		t.Fatal(err)
	}
	count := func(path string, q url.Values) int {
		t.Helper()
		code, body := get(t, e, srv, path, q)
		if code != 200 {
			t.Fatalf("GET %s?%s: %d %s", path, q.Encode(), code, body)
		}
		var p page
		if err := json.Unmarshal(body, &p); err != nil {
			t.Fatal(err)
		}
		return p.Count
	}
	const taxLink = "2f5d361d-dad6-45d4-a0bf-26d479766067"
	for _, c := range []struct {
		path string
		q    url.Values
		want int
	}{
		{"/api/transactions/", url.Values{"link": {"16f68516-bcbc-4cf7-b815-c500d4204e28"}}, 19},
		{"/api/accounts/", url.Values{"link": {"16f68516-bcbc-4cf7-b815-c500d4204e28"}}, 5},
		{"/api/invoices/", url.Values{"link": {taxLink}, "type": {"INFLOW"}, "invoice_date__range": {"2017-07-31,2018-07-31"}}, 5333},
		{"/api/invoices/", url.Values{"link": {taxLink}, "type": {"OUTFLOW"}, "invoice_date__range": {"2021-04-05,2021-05-05"}}, 3456},
		// Two yearly and seven monthly returns: the list has no type filter.
		{"/api/tax-returns/", url.Values{"link": {taxLink}, "ejercicio__range": {"2017,2018"}}, 9},
		{"/api/transactions/", url.Values{"link": {"0284557b-df47-450a-po09e-7875195c2259"}, "id__in": {"7d0afe4c-373d-490c-90e4-06xx4cdd4a17,9c266fff-ee3d-4389-adb3-1c5690d3c032"}}, 2},
		{"/api/invoices/", url.Values{"link": {"16f68516-bcbc-4cf7-b815-c500d4204e28"}, "id__in": {"0a362860-c92f-4414-a731-a772e88ab54b,0a376126-c23r-2131-b745-a876d77cd76c"}}, 2},
	} {
		if got := count(c.path, c.q); got != c.want {
			t.Errorf("GET %s?%s: %d records, want %d", c.path, c.q.Encode(), got, c.want)
		}
	}
}
