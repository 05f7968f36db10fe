package pipeline

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// testEnv is the settings of a test's pipeline: the real services, a topic
// prefix, consumer groups and a database (named db plus the prefix) of its
// own, loopback ports the system picks; overrides win. Groups of their own
// because the defaults are make run's, whose committed offsets and
// generations a shared broker keeps (joining its group failed with
// NOT_LEADER until the test gave up).
func testEnv(t *testing.T, db string, overrides map[string]string) map[string]string {
	t.Helper()
	prefix := testenv.Prefix(t)
	dsn := testenv.ClickHouse(t)
	env := map[string]string{
		"KAFKA_BROKERS":       strings.Join(testenv.Kafka(t), ","),
		"SCHEMA_REGISTRY_URL": testenv.Registry(t),
		"CLICKHOUSE_DSN":      dsn[:strings.LastIndex(dsn, "/")+1] + db + "_" + strings.TrimPrefix(prefix, "test"),
		"TOPIC_PREFIX":        prefix,
		"TOPIC_PARTITIONS":    "3",
		"FETCHER_GROUP":       prefix + "-fetcher",
		"SINK_GROUP":          prefix + "-sink",
		"INGEST_ADDR":         "127.0.0.1:0",
		"FETCHER_ADMIN_ADDR":  "127.0.0.1:0",
		"SINK_ADMIN_ADDR":     "127.0.0.1:0",
		"EMULATOR_ADDR":       "127.0.0.1:0",
	}
	for k, v := range overrides {
		env[k] = v
	}
	testenv.CleanupTopics(t, testenv.Kafka(t), prefix+".")
	return env
}

// newPipeline builds the pipeline of env, its logs kept for a failure.
func newPipeline(t *testing.T, env map[string]string, logLines int) *Pipeline {
	t.Helper()
	p, err := New(func(k string) string { return env[k] }, testenv.Logger(t, logLines))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startPipeline runs the pipeline of env until the test ends (it must then
// stop without an error) and returns it ready, with a context bounded by
// within for the test's own waits.
func startPipeline(t *testing.T, env map[string]string, logLines int, within time.Duration) (*Pipeline, context.Context) {
	t.Helper()
	p := newPipeline(t, env, logLines)
	ctx, cancel := context.WithTimeout(context.Background(), within)
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	t.Cleanup(func() {
		stop()
		if err := <-done; err != nil {
			t.Errorf("pipeline stopped with %v", err)
		}
		cancel()
	})
	if err := p.WaitReady(ctx); err != nil {
		t.Fatal(err)
	}
	return p, ctx
}

// stopsAtStart runs the pipeline of env, which must stop by itself within
// two minutes, and returns the error it stopped with.
func stopsAtStart(t *testing.T, env map[string]string) error {
	t.Helper()
	p := newPipeline(t, env, 200)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	err := p.Run(ctx)
	if ctx.Err() != nil {
		t.Fatal("still running after two minutes")
	}
	return err
}
