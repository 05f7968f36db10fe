package pipeline

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// TestScenarioEndToEnd sends the emulator's full scenario (one webhook per
// row of webhooks.md, error, link, consent and institution-status events,
// a link deletion) through ingest, fetcher and sink on the real Kafka,
// registry and ClickHouse engine, and checks ClickHouse row by row: every
// resource of the scenario's link holds exactly the records the emulator
// serves (deletions and cancellations applied), the deleted link holds
// nothing, every webhook has its audit row and its fact, every fetching
// event its matching reconciliation.
func TestScenarioEndToEnd(t *testing.T) {
	scenarioEndToEnd(t, map[string]string{"KAFKA_BROKERS": strings.Join(testenv.Kafka(t), ",")})
}

// The same, with every role reaching Kafka only over the local broker's
// SASL_SSL listener with SCRAM-SHA-512 (KAFKA_SECURE_* of .local/env).
func TestScenarioOverSecuredKafka(t *testing.T) {
	scenarioEndToEnd(t, testenv.SecureKafka(t))
}

func scenarioEndToEnd(t *testing.T, overrides map[string]string) {
	env := testEnv(t, "e2e", overrides)
	env["EMULATOR_RECORDS"] = "40"
	p, ctx := startPipeline(t, env, 1000, 8*time.Minute)
	release, err := p.HoldMerges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	pr := settleScenario(t, ctx, p)
	if pr.DeadLetrs != 0 {
		t.Errorf("%v records dead-lettered", pr.DeadLetrs)
	}
	rep, err := p.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// Two per resource, five per delivery kind, the lineage of each event
	// without a count, and one for all the events with one.
	if len(rep.Checks) < 50 {
		t.Fatalf("only %d checks ran", len(rep.Checks))
	}
	reconciled := false
	for _, c := range rep.Checks {
		reconciled = reconciled || strings.HasPrefix(c.Name, "reconciliations: one that agrees") && c.Want > 0
	}
	if !reconciled {
		t.Error("no event that announced a count was checked for its reconciliation")
	}
	for _, c := range rep.Failed() {
		t.Errorf("%s: want %d, got %d", c.Name, c.Want, c.Got)
	}
	if err := p.Summary(ctx, io.Discard); err != nil {
		t.Errorf("summary: %v", err)
	}
}

// A wrong Kafka password stops every role at start with an error that
// names the settings to check, rather than leaving pods that never turn
// ready.
func TestWrongKafkaPasswordStopsAtStart(t *testing.T) {
	secure := testenv.SecureKafka(t)
	secure["KAFKA_SASL_PASSWORD"] = "not-the-password"
	err := stopsAtStart(t, testEnv(t, "wrongkafka", secure))
	if err == nil || !strings.Contains(err.Error(), "KAFKA_SASL_USERNAME") || !strings.Contains(err.Error(), "SASL") {
		t.Fatalf("Run = %v, want an error about the SASL credentials naming the settings", err)
	}
}
