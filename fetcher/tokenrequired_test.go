package fetcher

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// A Belvo that answers 428 token_required for a link's accounts: the event
// is refused at once (asking again gets the same answer until the user
// gives a token), dead-lettered with an error_events fact, and both keep
// what resuming the login needs, the members of Belvo's error beyond code
// and message (session, expiry, token_generation_data).
func TestTokenRequiredKeepsTheSessionInTheDeadLetterAndTheFact(t *testing.T) {
	cfg := emulator.Config{Seed: 11, Links: 1, Records: 3}
	link := linkIDs(t, cfg)[0]
	cfg.Faults.TokenRequired = []string{link + ":/api/accounts/"}
	w := newWorld(t, cfg)
	w.startFetcher(nil)

	w.post(t, webhook("w-token", "ACCOUNTS", "historical_update", link, map[string]any{"total_accounts": 3}))

	facts := w.records(factErrors, 1, 60*time.Second)
	f := facts[0]
	if f.str(schemas.FieldWebhookID) != "w-token" || f.str("error_code") != "token_required" || f.str("webhook_type") != "ACCOUNTS" {
		t.Fatalf("error_events fact %v, want w-token with Belvo's token_required", f)
	}
	var dead map[string]map[string]string
	testenv.Eventually(t, 30*time.Second, "the event in the dead-letter topic", func() bool {
		dead = w.deadLetterHeaders(t)
		return len(dead) > 0
	})
	h := dead["w-token"]
	if len(dead) != 1 || h[headerReason] != "http_428" || h[headerLinkID] != link {
		t.Fatalf("dead letters %v, want only w-token with reason http_428", dead)
	}
	// The emulator's session is 32 hex digits; both records name the same.
	session := between(h[headerError], `"session":"`, `"`)
	if len(session) != 32 {
		t.Fatalf("dead letter error %q carries no session", h[headerError])
	}
	for name, text := range map[string]string{"dead letter": h[headerError], "error_events fact": f.str("error_message")} {
		for _, want := range []string{`"session":"` + session + `"`, `"expiry":9600`, `"token_generation_data":{`, `"expects_user_input":true`, `"link":"` + link + `"`} {
			if !strings.Contains(text, want) {
				t.Errorf("%s %q lacks %s", name, text, want)
			}
		}
	}
	var asked int
	for _, req := range w.requestsTo("/api/accounts/") {
		asked++
		if req.Status != http.StatusPreconditionRequired {
			t.Errorf("accounts answered %d, want 428", req.Status)
		}
	}
	if asked != 1 {
		t.Errorf("the accounts were asked for %d times, want once: a 428 is not retried", asked)
	}
}

// between returns the text of s after the first from, up to the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, to)
	return v
}
