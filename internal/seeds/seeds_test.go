package seeds

import (
	"encoding/json"
	"testing"
)

const dir = "../../../shared/seeds"

func TestStripCommentsKeepsURLsInStrings(t *testing.T) {
	got, err := stripComments(`{"a": "https://logo.com/x", // a comment "b": [1, 2], // tail
	}`)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"a": "https://logo.com/x", "b": [1, 2] }`; string(got) != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

func TestSeedWebhooksAreAllFound(t *testing.T) {
	exs, err := Webhooks(dir, "000_", "002_")
	if err != nil {
		t.Fatal(err)
	}
	// Seed 000 shows one webhook; seed 002 one per catalogue row it documents
	// plus the core-schema and error examples (counted by hand from the page).
	if len(exs) < 40 {
		t.Fatalf("found %d webhook examples, want at least 40", len(exs))
	}
	codes := map[string]bool{}
	for _, ex := range exs {
		var w struct {
			Code string `json:"webhook_code"`
		}
		if err := json.Unmarshal(ex.JSON, &w); err != nil {
			t.Fatal(err)
		}
		codes[w.Code] = true
	}
	for _, c := range []string{"transactions_deleted", "link_deleted", "openfinance_consent_expired", "employment_changes", "invoices_cancelled"} {
		if !codes[c] {
			t.Errorf("no example with webhook_code %s", c)
		}
	}
}
