package ops

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/schemas"
)

func parseBackfill(t *testing.T, args ...string) (*BackfillConfig, error) {
	t.Helper()
	var c BackfillConfig
	set := config.New("backfill")
	c.Bind(set)
	if _, err := set.Parse(args, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	return &c, c.Validate()
}

// Every resource is backfilled with its historical catalogue rows (both
// directions of invoices), never a row whose range the fetcher derives
// from its state; a range goes where each row reads it.
func TestBackfillPlans(t *testing.T) {
	c, err := parseBackfill(t, "--link", "L")
	if err != nil {
		t.Fatal(err)
	}
	evs, skipped, err := c.plan("L")
	if err != nil || len(skipped) > 0 {
		t.Fatalf("plan: %v, skipped %v", err, skipped)
	}
	per := map[string][]string{}
	for _, ev := range evs {
		per[ev.row.Resource] = append(per[ev.row.Resource], ev.row.Code)
		if ev.link != "L" {
			t.Errorf("%s/%s for link %q", ev.row.Type, ev.row.Code, ev.link)
		}
		for k, v := range ev.data {
			if v != nil {
				t.Errorf("%s/%s without a range has data %s=%v", ev.row.Type, ev.row.Code, k, v)
			}
		}
	}
	if len(per) != len(schemas.Resources) {
		t.Errorf("%d resources planned, want %d: %v", len(per), len(schemas.Resources), per)
	}
	if got := strings.Join(per["invoices"], ","); got != "historical_inflow_update,historical_outflow_update" {
		t.Errorf("invoices backfilled with %s", got)
	}
	if got := strings.Join(per["transactions"], ","); got != "historical_update" {
		t.Errorf("transactions backfilled with %s", got)
	}

	c, err = parseBackfill(t, "--link", "L", "--since", "2026-01-01", "--until", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	evs, skipped, err = c.plan("L")
	if err != nil {
		t.Fatal(err)
	}
	data := map[string]map[string]any{}
	for _, ev := range evs {
		data[ev.row.Resource] = ev.data
	}
	if got := data["transactions"][schemas.FilterCreatedAtRange]; got != "2026-01-01,2026-03-31" {
		t.Errorf("transactions range %v", got)
	}
	if d := data["invoices"]; d["first_invoice_date"] != "2026-01-01" || d["last_invoice_date"] != "2026-03-31" {
		t.Errorf("invoices range %v", d)
	}
	if d := data["tax_returns"]; d["first_tax_return_year"] != 2026 || d["last_tax_return_year"] != 2026 {
		t.Errorf("tax returns range %v", d)
	}
	if _, ok := data["accounts"]; ok || !strings.Contains(strings.Join(skipped, ","), "accounts") {
		t.Errorf("accounts cannot be listed by date: planned %v, skipped %v", data["accounts"], skipped)
	}

	c, err = parseBackfill(t, "--link", "L", "--resource", "accounts", "--since", "2026-01-01", "--until", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := c.plan("L"); err == nil || !strings.Contains(err.Error(), "accounts") {
		t.Errorf("accounts asked for by name with a range: %v", err)
	}
}

// The syntax, --resource R ...: a repeated flag and comma lists
// add up, a repeat counts once, and only the resources named are planned.
// Replay's --resource reads the same way.
func TestResourceFlagRepeats(t *testing.T) {
	c, err := parseBackfill(t, "--link", "L", "--resource", "transactions", "--resource", "invoices,transactions", "--link", "M,L")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.Resources, ","); got != "transactions,invoices" {
		t.Errorf("resources %q, want transactions,invoices", got)
	}
	if got := strings.Join(c.Links, ","); got != "L,M" {
		t.Errorf("links %q, want L,M", got)
	}
	evs, _, err := c.plan("L")
	if err != nil {
		t.Fatal(err)
	}
	planned := map[string]int{}
	for _, ev := range evs {
		planned[ev.row.Resource]++
	}
	if len(planned) != 2 || planned["transactions"] != 1 || planned["invoices"] != 2 {
		t.Errorf("planned %v, want transactions once and invoices' two directions", planned)
	}

	var r ReplayConfig
	set := config.New("replay")
	r.Bind(set)
	if _, err := set.Parse([]string{"--resource", "transactions", "--resource", "link_events,webhook_events", "--resource", "transactions", "--from", "2026-01-01"},
		func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := r.Validate(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(r.Resources, ","); got != "transactions,link_events,webhook_events" {
		t.Errorf("replay resources %q, want transactions,link_events,webhook_events", got)
	}
}

func TestBackfillSettings(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "--link"},
		{[]string{"--link", "L", "--all-links"}, "exclude"},
		{[]string{"--link", "L", "--resource", "nope"}, "not a resource"},
		{[]string{"--link", "L", "--since", "2026-01-01"}, "go together"},
		{[]string{"--link", "L", "--since", "2026-02-01", "--until", "2026-01-01"}, "ends before"},
		{[]string{"--all-links"}, "BELVO_URL"},
	} {
		if _, err := parseBackfill(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error about %q", tc.args, err, tc.want)
		}
	}
}

// --all-links lists every link Belvo serves, following the listing's pages.
func TestListLinksFollowsPages(t *testing.T) {
	emu, err := emulator.New(emulator.Config{Links: 5, Records: 1}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(emu.Handler())
	defer srv.Close()
	cfg := emu.Config()
	got, err := listLinks(context.Background(), belvo.Config{URL: srv.URL, SecretID: cfg.SecretID, SecretPassword: cfg.SecretPassword, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range emu.Links() {
		want = append(want, l.ID)
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("listed %v, want %v", got, want)
	}
	if pages := len(emu.Requests()); pages != 3 {
		t.Errorf("%d requests for 5 links at 2 a page, want 3", pages)
	}
}
