package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func fixture(t *testing.T, edits ...[2]string) []object {
	t.Helper()
	b, err := os.ReadFile("testdata/rendered.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, e := range edits {
		if !strings.Contains(s, e[0]) {
			t.Fatalf("fixture lacks %q", e[0])
		}
		s = strings.Replace(s, e[0], e[1], 1)
	}
	objs, err := parseObjects([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func TestFixturePasses(t *testing.T) {
	if p := checkRendered(fixture(t)); len(p) > 0 {
		t.Fatalf("problems in a good rendering:\n%s", strings.Join(p, "\n"))
	}
}

// Each mistake a manifest edit could make is reported, naming the object.
func TestMistakesAreReported(t *testing.T) {
	cases := []struct {
		name string
		edit [2]string
		want string
	}{
		{"moving tag", [2]string{"belvo-pipeline:v0.1.0", "belvo-pipeline:latest"}, "is not pinned"},
		{"no tag", [2]string{"belvo-pipeline:v0.1.0", "belvo-pipeline"}, "is not pinned"},
		{"old Strimzi API", [2]string{"apiVersion: kafka.strimzi.io/v1\nkind: KafkaTopic", "apiVersion: kafka.strimzi.io/v1beta2\nkind: KafkaTopic"}, "Strimzi 1.0 serves only"},
		{"plaintext", [2]string{"KAFKA_TLS: 'true'", "KAFKA_TLS: 'false'"}, "KAFKA_TLS"},
		{"wrong user", [2]string{"value: belvo-sink", "value: belvo-sinks"}, "names no KafkaUser"},
		{"password of another user", [2]string{"key: password\n              name: belvo-fetcher", "key: password\n              name: belvo-sink"}, "KAFKA_SASL_PASSWORD must come from Secret belvo-fetcher"},
		{"CA not mounted", [2]string{"mountPath: /etc/belvo/kafka-ca", "mountPath: /etc/belvo/ca"}, "KAFKA_TLS_CA_FILE"},
		{"KEDA without TLS", [2]string{"tls: enable", "tls: disable"}, "tls \"disable\""},
		{"KEDA without credentials", [2]string{"name: belvo-fetcher-kafka\n", "name: belvo-fetcher-kafka-x\n"}, "names no TriggerAuthentication"},
		{"partitions disagree", [2]string{"TOPIC_PARTITIONS: '3'", "TOPIC_PARTITIONS: '6'"}, "TOPIC_PARTITIONS=6"},
		{"more replicas than partitions", [2]string{"maxReplicaCount: 2", "maxReplicaCount: 4"}, "replicas beyond it idle"},
		{"per-pod rate", [2]string{"BELVO_RATE_LIMIT: '80'", "BELVO_RATE_LIMIT: '160'"}, "exceeds Belvo's 80"},
		{"body above the docs", [2]string{"INGEST_MAX_BODY_BYTES: '921600'", "INGEST_MAX_BODY_BYTES: '1048576'"}, "INGEST_MAX_BODY_BYTES"},
		{"scrape port missing", [2]string{"    port: admin\n    scrapeTimeout", "    port: metrics\n    scrapeTimeout"}, "no ServiceMonitor scrapes the"},
		{"no dashboard label", [2]string{"grafana_dashboard: '1'", "grafana_dashboard: '0'"}, "grafana_dashboard"},
		{"no rules", [2]string{"kind: PrometheusRule", "kind: PrometheusRules"}, "no PrometheusRule"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := checkRendered(fixture(t, c.edit))
			if !strings.Contains(strings.Join(p, "\n"), c.want) {
				t.Fatalf("want a problem mentioning %q, got:\n%s", c.want, strings.Join(p, "\n"))
			}
		})
	}
}

func TestAlertTableComparison(t *testing.T) {
	table := []docAlert{
		{name: "A", expr: `sum(rate(x_total[5m])) > 0`, forDur: "10m", promQL: true},
		{name: "B", expr: `absent(up{job="i"} == 1)`, forDur: "2m", page: true, promQL: true},
		{name: "Freshness"},
	}
	same := []alertRule{
		{name: "A", expr: `sum(rate(x_total[5m]))>0`, forDur: "10m", severity: "warning"},
		{name: "B", expr: `absent(up{job="i"}==1)`, forDur: "2m", severity: "critical"},
	}
	if p := compareAlerts(same, table); len(p) > 0 {
		t.Fatalf("equal up to spacing, got %v", p)
	}
	differs := []alertRule{
		{name: "A", expr: `sum(rate(x_total[5m])) > 1`, forDur: "5m", severity: "critical"},
		{name: "C", expr: `vector(1)`, severity: "warning"},
	}
	got := strings.Join(compareAlerts(differs, table), "\n")
	for _, want := range []string{"A: expression differs", `A: for "5m"`, "A: severity critical", "C is not in", "documents alert B"} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
}

func TestSplitRowUnescapesPipes(t *testing.T) {
	got := splitRow("| X (page) | `a{s=~\"401\\|403\"}` | 15m | why |")
	if len(got) != 4 || got[1] != "`a{s=~\"401|403\"}`" || got[0] != "X (page)" {
		t.Fatalf("got %q", got)
	}
}

func TestPlaceholdersMatchTheReadme(t *testing.T) {
	root := t.TempDir()
	k8s := filepath.Join(root, "deploy", "k8s")
	if err := os.MkdirAll(k8s, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(k8s, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "# PLACEHOLDER(host): the host\n# PLACEHOLDER: unnamed\n")
	write("README.md", "| placeholder | what |\n|---|---|\n| `host` | x |\n| `gone` | y |\n\n| `other` | not the table |\n")
	got := strings.Join(checkPlaceholders(root), "\n")
	for _, want := range []string{"a.yaml:2: PLACEHOLDER without an id", `lists "gone"`} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in:\n%s", want, got)
		}
	}
	if strings.Contains(got, "host") || strings.Contains(got, "other") {
		t.Errorf("unexpected:\n%s", got)
	}
}
