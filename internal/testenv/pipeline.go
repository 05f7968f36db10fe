package testenv

import (
	"strings"
	"testing"
)

// PipelineEnv is the environment of a test's whole pipeline (`run`): the
// real services, a topic prefix (its topics deleted when the test ends),
// consumer groups and a database (named db plus the prefix) of its own,
// and loopback ports the system picks. Groups of their own because the
// defaults are make run's, whose committed offsets and generations a shared
// broker keeps (joining its group failed with NOT_LEADER until the test
// gave up).
func PipelineEnv(t testing.TB, db string) map[string]string {
	t.Helper()
	prefix := Prefix(t)
	dsn := ClickHouse(t)
	brokers := Kafka(t)
	env := map[string]string{
		"KAFKA_BROKERS":       strings.Join(brokers, ","),
		"SCHEMA_REGISTRY_URL": Registry(t),
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
	CleanupTopics(t, brokers, prefix+".")
	return env
}
