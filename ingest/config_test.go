package ingest

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/config"
)

func validConfig(t *testing.T, env map[string]string) (Config, error) {
	t.Helper()
	var c Config
	s := config.New("ingest")
	c.Bind(s)
	if _, err := s.Parse(nil, func(k string) string { return env[k] }); err != nil {
		return c, err
	}
	return c, c.Validate()
}

func TestConfigDefaultsAreValid(t *testing.T) {
	c, err := validConfig(t, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":8080" || c.TopicPrefix != "belvo" || c.Budget != 4*time.Second {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestConfigErrorsNameTheSetting(t *testing.T) {
	cases := map[string]map[string]string{
		"KAFKA_BROKERS":           {"KAFKA_BROKERS": "nohostport"},
		"SCHEMA_REGISTRY_URL":     {"SCHEMA_REGISTRY_URL": "registry:8081"},
		"WEBHOOK_AUTHORIZATION":   {"WEBHOOK_AUTHORIZATION": "secret"},
		"WEBHOOK_ALLOWED_CIDRS":   {"WEBHOOK_ALLOWED_CIDRS": "3.130.254.46/33"},
		"WEBHOOK_TRUSTED_PROXIES": {"WEBHOOK_TRUSTED_PROXIES": "not-an-ip"},
		"INGEST_PUBLISH_TIMEOUT":  {"INGEST_PUBLISH_TIMEOUT": "6s"},
		"INGEST_STATUS_PATH":      {"INGEST_STATUS_PATH": "/webhooks/belvo"},
		"TOPIC_PARTITIONS":        {"TOPIC_PARTITIONS": "0"},
		"INGEST_MAX_BODY_BYTES":   {"INGEST_MAX_BODY_BYTES": "lots"},
		"INGEST_MEMORY_LIMIT_MIB": {"INGEST_MEMORY_LIMIT_MIB": "-1"},
		"INGEST_MAX_PROCS":        {"INGEST_MAX_PROCS": "-1"},
	}
	for name, env := range cases {
		_, err := validConfig(t, env)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%v: error %v does not name %s", env, err, name)
		}
	}
}

func TestConfigAcceptsBelvoEgressIPsAsBareAddresses(t *testing.T) {
	c, err := validConfig(t, map[string]string{"WEBHOOK_ALLOWED_CIDRS": "3.130.254.46,18.220.61.186,18.223.45.212"})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.allowed) != 3 {
		t.Fatalf("parsed %d networks", len(c.allowed))
	}
}

func TestMemoryLimitFromSettingThenContainerThenDefault(t *testing.T) {
	files := func(m map[string]string) func(string) ([]byte, error) {
		return func(name string) ([]byte, error) {
			if v, ok := m[name]; ok {
				return []byte(v), nil
			}
			return nil, os.ErrNotExist
		}
	}
	cases := []struct {
		name string
		mib  int
		fs   map[string]string
		want int64
	}{
		{"setting wins over the container", 64, map[string]string{"/sys/fs/cgroup/memory.max": "1073741824\n"}, 64 << 20},
		{"cgroup v2 limit", 0, map[string]string{"/sys/fs/cgroup/memory.max": "1073741824\n"}, 1073741824 / 10 * 9},
		{"cgroup v1 limit", 0, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "268435456\n"}, 268435456 / 10 * 9},
		{"cgroup v2 without a limit", 0, map[string]string{"/sys/fs/cgroup/memory.max": "max\n"}, defaultMemoryLimit},
		{"cgroup v1 without a limit", 0, map[string]string{"/sys/fs/cgroup/memory/memory.limit_in_bytes": "9223372036854771712\n"}, defaultMemoryLimit},
		{"no cgroup", 0, nil, defaultMemoryLimit},
	}
	for _, tc := range cases {
		if got := (Config{MemoryLimitMiB: tc.mib}).MemoryLimit(files(tc.fs)); got != tc.want {
			t.Errorf("%s: limit %d, want %d", tc.name, got, tc.want)
		}
	}
}
