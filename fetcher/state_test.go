package fetcher

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// created_at__range starts at the look-back the first time, and at the
// previous notification's date afterwards, also across a restart: the
// state lives in a compacted topic, not in the process.
func TestSinceRangeSurvivesRestart(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 2, Records: 5})
	link := w.emu.Links()[0].ID
	over := map[string]string{EnvLookBackDays: "5"}
	newTx := func(id string) map[string]any {
		return map[string]any{"webhook_id": id, "webhook_type": "TRANSACTIONS", "webhook_code": "new_transactions_available",
			"link_id": link, "external_id": nil, "data": map[string]any{"new_transactions": 0}}
	}
	waitFor := func(rng string) {
		t.Helper()
		testenv.Eventually(t, 60*time.Second, "a request with created_at__range="+rng, func() bool {
			for _, r := range w.emu.Requests() {
				q, _ := url.ParseQuery(r.RawQuery)
				if q.Get("created_at__range") == rng && q.Get("link") == link {
					return true
				}
			}
			return false
		})
	}
	first := w.startFetcher(over)
	w.post(t, newTx("w-first"))
	waitFor("2026-11-15," + testToday)
	// The second notification's range must start at the first one's date
	// (ingest stamps real time, later than the test's today: clamped).
	testenv.Eventually(t, 30*time.Second, "the state written", func() bool {
		_, ok := first.f.state.get(stateKey(link, "transactions"))
		return ok
	})
	if err := first.stop(t); err != nil {
		t.Fatal(err)
	}
	w.startFetcher(over)
	w.post(t, newTx("w-second"))
	waitFor(testToday + "," + testToday)

	client := &kafka.Client{Addr: kafka.TCP(w.brokers...), Timeout: 10 * time.Second}
	res, err := client.DescribeConfigs(context.Background(), &kafka.DescribeConfigsRequest{Resources: []kafka.DescribeConfigRequestResource{{
		ResourceType: kafka.ResourceTypeTopic, ResourceName: StateTopic(w.prefix), ConfigNames: []string{"cleanup.policy"}}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Resources[0].ConfigEntries[0].ConfigValue; got != "compact" {
		t.Fatalf("state topic cleanup.policy %q, want compact", got)
	}
}
