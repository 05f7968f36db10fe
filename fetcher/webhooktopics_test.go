package fetcher

import (
	"testing"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// A fetcher that starts before ingest creates the webhook topics itself, so
// its group reads every one from its first join instead of finding them at
// a later discovery.
func TestFetcherCreatesTheWebhookTopicsAtStart(t *testing.T) {
	w := &world{t: t, brokers: testenv.Kafka(t), regURL: testenv.Registry(t), prefix: testenv.Prefix(t), log: testLog(t)}
	t.Cleanup(w.deleteTopics)
	var err error
	// Only its settings are used: no ingest, nothing is fetched.
	if w.emu, err = emulator.New(emulator.Config{}, w.log); err != nil {
		t.Fatal(err)
	}
	w.emuURL = "http://127.0.0.1:1"
	w.startFetcher(nil)
	layout, err := broker.NewCluster(broker.ClusterConfig{Brokers: w.brokers}).TopicsWithPrefix(t.Context(), schemas.WebhookTopicPrefix(w.prefix))
	if err != nil {
		t.Fatal(err)
	}
	for _, tp := range schemas.WebhookTopics(w.prefix) {
		if layout[tp] != 3 {
			t.Errorf("webhook topic %s has %d partitions after the fetcher started, want 3 (TOPIC_PARTITIONS)", tp, layout[tp])
		}
	}
}
