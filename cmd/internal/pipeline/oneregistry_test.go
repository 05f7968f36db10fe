package pipeline

import (
	"testing"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// `run` makes one registry client and hands it to every stage: a stage
// building its own would register, check and resolve each schema again.
// New contacts nothing, so the addresses need not answer.
func TestStagesShareOneRegistryClient(t *testing.T) {
	env := map[string]string{
		"KAFKA_BROKERS":       "127.0.0.1:1",
		"SCHEMA_REGISTRY_URL": "http://127.0.0.1:1/apis/ccompat/v7",
		"CLICKHOUSE_DSN":      "http://127.0.0.1:1/belvo",
		"INGEST_ADDR":         "127.0.0.1:0",
		"FETCHER_ADMIN_ADDR":  "127.0.0.1:0",
		"SINK_ADMIN_ADDR":     "127.0.0.1:0",
		"EMULATOR_ADDR":       "127.0.0.1:0",
	}
	p, err := New(func(k string) string { return env[k] }, testenv.Logger(t, 50))
	if err != nil {
		t.Fatal(err)
	}
	rc := p.Ingest.RegistryClient()
	if rc == nil || p.Fetcher.RegistryClient() != rc || p.Sink.RegistryClient() != rc {
		t.Fatalf("registry clients: ingest %p, fetcher %p, sink %p, want one", rc, p.Fetcher.RegistryClient(), p.Sink.RegistryClient())
	}
}
