package schemas

import (
	"slices"
	"strings"
	"testing"
)

func TestWebhookTopicsAreTheCatalogueTypesAndTheUnknownTopic(t *testing.T) {
	topics := WebhookTopics("p")
	types := WebhookTypes()
	if len(topics) != len(types)+1 || len(types) < 10 {
		t.Fatalf("%d topics for %d catalogue types", len(topics), len(types))
	}
	if topics[len(topics)-1] != "p.webhooks.unknown" || UnknownWebhookTopic("p") != "p.webhooks.unknown" {
		t.Fatalf("unknown topic %q", topics[len(topics)-1])
	}
	if slices.Contains(topics, WebhookTopic("p", InstitutionStatusType)) {
		t.Fatal("institution status is not a topic the fetcher reads")
	}
	seen := map[string]bool{}
	for i, tp := range topics {
		if seen[tp] || !strings.HasPrefix(tp, WebhookTopicPrefix("p")) {
			t.Errorf("topic %q repeated or outside the webhook prefix", tp)
		}
		seen[tp] = true
		if i < len(types) && tp != WebhookTopic("p", types[i]) {
			t.Errorf("topic %d is %q, want that of %s", i, tp, types[i])
		}
	}
	for _, e := range Catalogue {
		if !IsCatalogueType(e.Type) || !slices.Contains(types, e.Type) {
			t.Errorf("catalogue type %s not known", e.Type)
		}
	}
	// A type is matched as Belvo spells it: anything else is unknown, and
	// the name of the unknown topic itself is no catalogue type.
	for _, typ := range []string{"accounts", "UNKNOWN", "unknown", "../../etc", "", InstitutionStatusType, "SOMETHING_NEW"} {
		if IsCatalogueType(typ) {
			t.Errorf("%q taken for a catalogue type", typ)
		}
	}
}
