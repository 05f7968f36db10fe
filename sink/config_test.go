package sink

import (
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// Each bad setting is refused before anything opens, naming its env var.
func TestConfigValidate(t *testing.T) {
	for env, want := range map[string]string{
		"KAFKA_BROKERS":       "KAFKA_BROKERS (--kafka-brokers)",
		"SCHEMA_REGISTRY_URL": "SCHEMA_REGISTRY_URL",
		"CLICKHOUSE_DSN":      "CLICKHOUSE_DSN (--clickhouse-dsn): unknown key(s) dial_timout",
		"SINK_BATCH_ROWS":     "SINK_BATCH_ROWS (--batch-rows): must be 1..1000000",
		"SINK_FLUSH_INTERVAL": "SINK_FLUSH_INTERVAL",
		"SINK_GROUP":          "SINK_GROUP",
	} {
		bad := map[string]string{
			"KAFKA_BROKERS": "nohostport", "SCHEMA_REGISTRY_URL": "ftp://x", "CLICKHOUSE_DSN": "http://h:8123/belvo?dial_timout=1s",
			"SINK_BATCH_ROWS": "2000000", "SINK_FLUSH_INTERVAL": "-1s", "SINK_GROUP": " ",
		}
		var c Config
		set := config.New("sink")
		c.Bind(set)
		if _, err := set.Parse(nil, func(k string) string {
			if k == env {
				return bad[k]
			}
			return ""
		}); err != nil {
			t.Fatal(err)
		}
		if env == "SINK_GROUP" {
			c.Group = ""
		}
		err := c.Validate()
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s=%q: %v, want %q", env, bad[env], err, want)
		}
	}
	var c Config
	set := config.New("sink")
	c.Bind(set)
	if _, err := set.Parse(nil, func(string) string { return "" }); err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil || c.database != "belvo" || c.BatchRows != 100_000 {
		t.Fatalf("defaults: %v (database %q, rows %d)", err, c.database, c.BatchRows)
	}
}
