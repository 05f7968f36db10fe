package ingest

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// faultBroker drives a Kafka broker of its own (scripts/kafka.sh with
// KAFKA_INSTANCE=faults on other ports), so stopping it disturbs no other
// test that shares the main broker.
type faultBroker struct {
	t    *testing.T
	root string
	env  []string
}

func newFaultBroker(t *testing.T) *faultBroker {
	testenv.Kafka(t) // the main broker's presence proves the Kafka jars are installed
	b := &faultBroker{t: t, root: testenv.Root(t), env: append(os.Environ(),
		"KAFKA_INSTANCE=faults", "KAFKA_PORT=19192", "KAFKA_CONTROLLER_PORT=19193", "KAFKA_SECURE_PORT=19194")}
	b.run("start")
	t.Cleanup(func() { b.run("stop") })
	return b
}

func (b *faultBroker) run(action string) {
	b.t.Helper()
	cmd := exec.Command(b.root+"/scripts/kafka.sh", action)
	cmd.Env = b.env
	if out, err := cmd.CombinedOutput(); err != nil {
		b.t.Fatalf("kafka.sh %s: %v\n%s", action, err, out)
	}
}

func TestBrokerDownAnswers503WithinBudgetThenRecoversWithoutRestart(t *testing.T) {
	broker := newFaultBroker(t)
	const budget = 1500 * time.Millisecond
	h := startIngest(t, map[string]string{"KAFKA_BROKERS": "127.0.0.1:19192", "INGEST_PUBLISH_TIMEOUT": budget.String()})
	if r := h.post("/webhooks/belvo", webhookJSON("before", "ACCOUNTS", "historical_update", "L1"), nil); r.status != 202 {
		t.Fatalf("before the outage: %d %+v", r.status, r.body)
	}

	broker.run("stop")
	lost := webhookJSON("during", "ACCOUNTS", "historical_update", "L1")
	for i := 0; i < 3; i++ {
		start := time.Now()
		r := h.post("/webhooks/belvo", lost, nil)
		took := time.Since(start)
		if r.status != http.StatusServiceUnavailable {
			t.Fatalf("broker down: status %d %+v, want 503", r.status, r.body)
		}
		// The answer must reach Belvo within its 5 s limit; the budget plus
		// scheduling slack is the bound we promise.
		if took > budget+time.Second {
			t.Fatalf("503 after %v, budget %v", took, budget)
		}
	}
	// Readiness reports the outage.
	testenv.Eventually(t, 10*time.Second, "readyz to report the outage", func() bool {
		res, err := http.Get(h.url + "/readyz")
		if err != nil {
			return false
		}
		res.Body.Close()
		return res.StatusCode == http.StatusServiceUnavailable
	})

	broker.run("start")
	// Belvo's retry of the refused event now succeeds, on the same ingest.
	var last reply
	testenv.Eventually(t, 60*time.Second, "202 after the broker is back", func() bool {
		last = h.post("/webhooks/belvo", lost, nil)
		return last.status == http.StatusAccepted
	})
	if last.body.Duplicate {
		t.Fatal("an event that was answered 503 must not be taken for a duplicate")
	}
	recs := h.records(schemas.WebhookTopic(h.prefix, "ACCOUNTS"), 2)
	ids := fmt.Sprint(recs[0]["webhook_id"], recs[1]["webhook_id"])
	if ids != "beforeduring" {
		t.Fatalf("stored %s, want before then during", ids)
	}
}
