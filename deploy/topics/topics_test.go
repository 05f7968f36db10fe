package main

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/finflow/belvo-pipeline/schemas"
)

const committed = "../k8s/base/kafka/topics.yaml"

// TestCommittedTopicsAreCurrent is the drift check: the KafkaTopic list the
// deployment applies is exactly what schemas/ implies.
func TestCommittedTopicsAreCurrent(t *testing.T) {
	got, err := os.ReadFile(committed)
	if err != nil {
		t.Fatal(err)
	}
	want := Render(Topics("belvo"))
	if !bytes.Equal(got, want) {
		t.Fatalf("%s is stale: run `go run ./deploy/topics -o deploy/k8s/base/kafka/topics.yaml` and commit it", committed)
	}
}

var (
	dns1123   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	kafkaName = regexp.MustCompile(`^[a-zA-Z0-9._-]{1,249}$`)
)

func TestTopicsCoverTheCode(t *testing.T) {
	topics := Topics("belvo")
	names := map[string]bool{}
	resources := map[string]bool{}
	for _, tp := range topics {
		if names[tp.Name] {
			t.Errorf("topic %s listed twice", tp.Name)
		}
		names[tp.Name] = true
		rn := ResourceName(tp.Name)
		if resources[rn] || !dns1123.MatchString(rn) || len(rn) > 253 {
			t.Errorf("resource name %q of %s is not a unique DNS-1123 subdomain", rn, tp.Name)
		}
		resources[rn] = true
		if !kafkaName.MatchString(tp.Name) {
			t.Errorf("%q is not a valid Kafka topic name", tp.Name)
		}
	}
	var want []string
	for _, e := range schemas.Catalogue {
		want = append(want, schemas.WebhookTopic("belvo", e.Type))
	}
	want = append(want, schemas.UnknownWebhookTopic("belvo"), schemas.WebhookTopic("belvo", schemas.InstitutionStatusType))
	for _, r := range schemas.Tables() {
		want = append(want, r.Topic("belvo"))
	}
	want = append(want, "belvo.fetcher.state", "belvo.deadletter.fetcher", "belvo.deadletter.sink")
	for _, w := range want {
		if !names[w] {
			t.Errorf("topic %s is used by the code but has no KafkaTopic", w)
		}
	}
	slices.Sort(want)
	if want = slices.Compact(want); len(want) != len(topics) {
		t.Errorf("%d KafkaTopics for %d topics the code uses", len(topics), len(want))
	}
}

func TestTopicSettings(t *testing.T) {
	for _, tp := range Topics("belvo") {
		cfg := map[string]string{}
		for _, kv := range tp.Config {
			cfg[kv[0]] = kv[1]
		}
		switch {
		case strings.HasSuffix(tp.Name, ".fetcher.state"):
			// fetcher/state.go reads partition 0 only.
			if tp.Partitions != 1 || cfg["cleanup.policy"] != "compact" {
				t.Errorf("%s: want 1 compacted partition, got %d, %v", tp.Name, tp.Partitions, cfg)
			}
		case cfg["cleanup.policy"] != "delete" || cfg["retention.ms"] == "":
			t.Errorf("%s: want delete with a retention, got %v", tp.Name, cfg)
		}
		if cfg["min.insync.replicas"] == "" {
			t.Errorf("%s: no min.insync.replicas (acks=all relies on it)", tp.Name)
		}
	}
}
