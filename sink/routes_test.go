package sink

import (
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

// Every topic ingest creates at start is among the sink's first topics and
// audited in webhook_events (institution status in its own table). One left
// out joins the group only at the next discovery, as a topic change: the
// group re-joins and every partition stalls for seconds in the middle of a
// steady load.
func TestFirstTopicsCoverWhatIngestCreates(t *testing.T) {
	const prefix = "belvo"
	byTopic, _, err := routes("belvo", prefix)
	if err != nil {
		t.Fatal(err)
	}
	events := byTopic[schemas.WebhookTopic(prefix, schemas.Catalogue[0].Type)]
	for _, topic := range schemas.WebhookTopics(prefix) {
		if got := byTopic[topic]; got == nil {
			t.Errorf("%s: ingest creates it at start, but the sink does not read it from its first join", topic)
		} else if got != events {
			t.Errorf("%s: loaded into %s, want webhook_events", topic, got.name)
		}
	}
	status := schemas.WebhookTopic(prefix, schemas.InstitutionStatusType)
	if got := byTopic[status]; got == nil || got.name != "institution_status" {
		t.Errorf("%s: want the institution_status table, got %v", status, got)
	}
}
