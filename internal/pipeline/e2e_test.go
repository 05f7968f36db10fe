package pipeline

import (
	"context"
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

func scenarioEndToEnd(t *testing.T, kafka map[string]string) {
	env := map[string]string{
		"SCHEMA_REGISTRY_URL": testenv.Registry(t),
		"TOPIC_PREFIX":        testenv.Prefix(t),
		"INGEST_ADDR":         "127.0.0.1:0",
		"FETCHER_ADMIN_ADDR":  "127.0.0.1:0",
		"SINK_ADMIN_ADDR":     "127.0.0.1:0",
		"EMULATOR_ADDR":       "127.0.0.1:0",
		"EMULATOR_RECORDS":    "40",
		"TOPIC_PARTITIONS":    "3",
	}
	for k, v := range kafka {
		env[k] = v
	}
	// Groups of their own: the defaults are make run's, whose committed
	// offsets and generations a shared broker keeps (joining its group
	// failed with NOT_LEADER until the test gave up).
	env["FETCHER_GROUP"] = env["TOPIC_PREFIX"] + "-fetcher"
	env["SINK_GROUP"] = env["TOPIC_PREFIX"] + "-sink"
	dsn := testenv.ClickHouse(t)
	env["CLICKHOUSE_DSN"] = dsn[:strings.LastIndex(dsn, "/")+1] + "e2e_" + strings.TrimPrefix(env["TOPIC_PREFIX"], "test")
	testenv.CleanupTopics(t, testenv.Kafka(t), env["TOPIC_PREFIX"]+".")
	p, err := New(func(k string) string { return env[k] }, testenv.Logger(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	done := make(chan error, 1)
	runCtx, stop := context.WithCancel(ctx)
	go func() { done <- p.Run(runCtx) }()
	defer func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("pipeline stopped with %v", err)
		}
	}()
	if err := p.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	release, err := p.HoldMerges(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer release()
	ds, err := p.Emulator.RunScenario(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		if !d.Delivered {
			t.Fatalf("webhook %s %s/%s not acknowledged by ingest", d.WebhookID, d.Type, d.Code)
		}
	}
	pr, err := p.WaitSettled(ctx, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if pr.DeadLetrs != 0 {
		t.Errorf("%v records dead-lettered", pr.DeadLetrs)
	}
	rep, err := p.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Checks) < 60 {
		t.Fatalf("only %d checks ran", len(rep.Checks))
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
	env := testenv.SecureKafka(t)
	env["KAFKA_SASL_PASSWORD"] = "not-the-password"
	for k, v := range map[string]string{
		"SCHEMA_REGISTRY_URL": testenv.Registry(t), "TOPIC_PREFIX": testenv.Prefix(t),
		"INGEST_ADDR": "127.0.0.1:0", "FETCHER_ADMIN_ADDR": "127.0.0.1:0", "SINK_ADMIN_ADDR": "127.0.0.1:0",
		"EMULATOR_ADDR": "127.0.0.1:0", "CLICKHOUSE_DSN": testenv.ClickHouse(t),
	} {
		env[k] = v
	}
	p, err := New(func(k string) string { return env[k] }, testenv.Logger(t, 200))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err = p.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("still running after two minutes with a wrong password")
	}
	if err == nil || !strings.Contains(err.Error(), "KAFKA_SASL_USERNAME") || !strings.Contains(err.Error(), "SASL") {
		t.Fatalf("Run = %v, want an error about the SASL credentials naming the settings", err)
	}
}
