package fetcher

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/schemas"
)

func (w *world) request(kind string, args ...string) string {
	w.t.Helper()
	env := w.fetcherEnv(nil)
	cfg := RequestConfig{Kind: kind}
	set := config.New("request")
	cfg.Bind(set)
	if _, err := set.Parse(args, func(k string) string { return env[k] }); err != nil {
		w.t.Fatal(err)
	}
	r, err := NewRequester(cfg, w.log)
	if err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := r.Run(ctx)
	if err != nil {
		w.t.Fatal(err)
	}
	return id
}

// An async POST and an async link deletion are recorded as requests facts
// keyed by Belvo's request_id, and the records and facts made from the
// webhooks that answer them carry that request_id, so SQL joins the two.
func TestRequestsAreRecordedAndCorrelated(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 3, Records: 12})
	w.startFetcher(nil)
	links := w.emu.Links()
	postID := w.request(KindAsyncPost, "--link", links[0].ID, "--resource", "transactions", "--date-from", "2026-10-01", "--date-to", "2026-11-20")
	delID := w.request(KindDeleteLink, "--link", links[1].ID)
	if len(postID) != 32 || len(delID) != 32 || postID == delID {
		t.Fatalf("request ids %q %q: want two 32-hex ids", postID, delID)
	}
	facts := map[string]record{}
	for _, r := range w.records(factRequests, 2, 30*time.Second) {
		facts[r.str("belvo_request_id")] = r
	}
	post := facts[postID]
	if post == nil || post.str("kind") != KindAsyncPost || post.str("resource") != "transactions" || post.str(schemas.FieldLinkID) != links[0].ID {
		t.Fatalf("async post fact %v", post)
	}
	if d, _ := unwrap(post["date_from"]).(time.Time); d.Format("2006-01-02") != "2026-10-01" {
		t.Fatalf("date_from %v", post["date_from"])
	}
	if del := facts[delID]; del == nil || del.str("kind") != KindDeleteLink {
		t.Fatalf("delete fact %v", del)
	}

	// The emulator answers the POST with a webhook carrying postID; the
	// fetcher lists the link's transactions of the requested range for it.
	want, err := w.emu.Records("transactions", url.Values{"link": {links[0].ID}, "value_date__range": {"2026-10-01,2026-11-20"}})
	if err != nil {
		t.Fatal(err)
	}
	all, _ := w.emu.Records("transactions", url.Values{"link": {links[0].ID}})
	if len(want) == 0 || len(want) == len(all) {
		t.Fatalf("the range holds %d of the link's %d transactions: the test proves nothing", len(want), len(all))
	}
	inRange := map[string]bool{}
	for _, raw := range want {
		var rec struct{ ID string }
		json.Unmarshal(raw, &rec)
		inRange[rec.ID] = true
	}
	for _, r := range w.records("transactions", len(want), 60*time.Second) {
		if !inRange[r.str(schemas.FieldID)] {
			t.Fatalf("transaction %s is outside the requested range", r.str(schemas.FieldID))
		}
		if r.str(schemas.FieldRequestID) != postID {
			t.Fatalf("transaction %s request_id %q, want %q", r.str(schemas.FieldID), r.str(schemas.FieldRequestID), postID)
		}
	}
	linkFacts := w.records(factLinks, 1, 60*time.Second)
	if got := linkFacts[0]; got.str(schemas.FieldRequestID) != delID || got.str("webhook_code") != "link_deleted" {
		t.Fatalf("link_deleted fact %v, want request_id %s", got, delID)
	}
	if !strings.Contains(linkFacts[0].str(schemas.FieldRaw), `"data":null`) {
		t.Fatalf("link_deleted success raw %s: want data null", linkFacts[0].str(schemas.FieldRaw))
	}
}
