// Package testenv gives integration tests the real services that `make up`
// starts (Kafka, the schema registry, the ClickHouse engine), found through
// the environment or the .local/env file that `make up` writes.
//
// The build tag decides which tests are integration tests: without
// -tags integration every service accessor skips its test, whatever
// .local/env holds. With the tag, a test that needs a service it cannot find
// is skipped when run by hand, and fails under `make test`, which sets
// BELVO_REQUIRE_SERVICES=1: CI must never pass by skipping the integration
// tests.
package testenv

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
)

// Root returns the repository root (the directory holding go.mod).
func Root(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("testenv: no go.mod above the test's directory")
		}
		dir = parent
	}
}

// Lookup returns the value of an environment setting, from the process
// environment or else from .local/env.
func Lookup(t testing.TB, name string) string {
	t.Helper()
	if v := os.Getenv(name); v != "" {
		return v
	}
	f, err := os.Open(filepath.Join(Root(t), ".local", "env"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimPrefix(strings.TrimSpace(sc.Text()), "export ")
		if k, v, ok := strings.Cut(line, "="); ok && k == name {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// Require returns the setting name or stops the test: skipped without
// -tags integration; with it, skipped by hand when the setting is missing,
// failed under `make test`.
func Require(t testing.TB, name string) string {
	t.Helper()
	RequireIntegration(t, name)
	v := Lookup(t, name)
	if v == "" {
		missing(t, "%s is not set and .local/env lacks it: run `make up`", name)
	}
	return v
}

// RequireIntegration skips the test, which needs what (a service, a program
// `make up` installs), unless the build has -tags integration. The service
// accessors call it; a test reaching a service another way calls it first.
// BELVO_REQUIRE_SERVICES=1 without the tag fails instead: whoever asked for
// the integration tests must not get a pass made of skips.
func RequireIntegration(t testing.TB, what string) {
	t.Helper()
	if !Integration {
		if os.Getenv("BELVO_REQUIRE_SERVICES") != "" {
			t.Fatalf("needs %s: BELVO_REQUIRE_SERVICES is set but the test was built without -tags integration", what)
		}
		t.Skipf("needs %s: an integration test, run with -tags integration (make test)", what)
	}
}

func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	if os.Getenv("BELVO_REQUIRE_SERVICES") != "" {
		t.Fatalf(format, args...)
	}
	t.Skipf(format, args...)
}

// reachable remembers, per address, whether a TCP connection succeeded, so
// a stale .local/env (services stopped) fails each test at once instead of
// every client retrying until the test's own deadline.
var reachable sync.Map

func requireReachable(t testing.TB, name, addr string) {
	t.Helper()
	ok, seen := reachable.Load(addr)
	if !seen {
		conn, err := net.DialTimeout("tcp", addr, 3*time.Second)
		if err == nil {
			conn.Close()
		}
		ok, _ = reachable.LoadOrStore(addr, err == nil)
	}
	if !ok.(bool) {
		missing(t, "%s: nothing answers on %s: run `make up`", name, addr)
	}
}

// requireURL returns the setting, after checking its host answers.
func requireURL(t testing.TB, name string) string {
	t.Helper()
	v := Require(t, name)
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		t.Fatalf("%s=%q is not a URL", name, v)
	}
	host := u.Host
	if u.Port() == "" {
		port := map[string]string{"http": "80", "https": "443", "clickhouse": "9000"}[u.Scheme]
		host = net.JoinHostPort(u.Hostname(), port)
	}
	requireReachable(t, name, host)
	return v
}

// Kafka returns the brokers of the real Kafka cluster.
func Kafka(t testing.TB) []string {
	t.Helper()
	brokers := strings.Split(Require(t, "KAFKA_BROKERS"), ",")
	requireReachable(t, "KAFKA_BROKERS", brokers[0])
	return brokers
}

// SecureKafka is the local broker's SASL_SSL listener (scripts/kafka.sh), as
// .local/env describes it with KAFKA_SECURE_*, mapped onto the settings the
// roles read (KAFKA_BROKERS, KAFKA_TLS, KAFKA_TLS_CA_FILE, KAFKA_SASL_*).
func SecureKafka(t testing.TB) map[string]string {
	t.Helper()
	brokers := Require(t, "KAFKA_SECURE_BROKERS")
	requireReachable(t, "KAFKA_SECURE_BROKERS", strings.Split(brokers, ",")[0])
	return map[string]string{
		"KAFKA_BROKERS":        brokers,
		"KAFKA_TLS":            "true",
		"KAFKA_TLS_CA_FILE":    Require(t, "KAFKA_SECURE_TLS_CA_FILE"),
		"KAFKA_SASL_MECHANISM": Require(t, "KAFKA_SECURE_SASL_MECHANISM"),
		"KAFKA_SASL_USERNAME":  Require(t, "KAFKA_SECURE_SASL_USERNAME"),
		"KAFKA_SASL_PASSWORD":  Require(t, "KAFKA_SECURE_SASL_PASSWORD"),
	}
}

// Registry returns the base URL of the real schema registry.
func Registry(t testing.TB) string { t.Helper(); return requireURL(t, "SCHEMA_REGISTRY_URL") }

// ClickHouse returns the DSN of the real ClickHouse engine.
func ClickHouse(t testing.TB) string { t.Helper(); return requireURL(t, "CLICKHOUSE_DSN") }

// Prefix returns a topic prefix no other test run uses, so tests sharing
// one broker never read each other's records.
func Prefix(t testing.TB) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return "test" + hex.EncodeToString(b[:])
}

// Eventually polls cond until it returns true or the deadline passes.
func Eventually(t testing.TB, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", within, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// ReadTopic reads every record of topic, from all partitions, until it has
// want records or the deadline passes; it then checks no more arrive for a
// short while, so a test can assert "exactly want".
func ReadTopic(t testing.TB, brokers []string, topic string, want int, within time.Duration) []kafka.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	var out []kafka.Message
	deadline := time.Now().Add(within)
	for {
		out = readOnce(t, ctx, brokers, topic)
		if len(out) >= want || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if len(out) != want {
		t.Fatalf("topic %s holds %d records, want %d", topic, len(out), want)
	}
	return out
}

// readOnce reads each partition of topic from its first to its last offset.
func readOnce(t testing.TB, ctx context.Context, brokers []string, topic string) []kafka.Message {
	t.Helper()
	client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 10 * time.Second}
	md, err := client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		t.Fatalf("metadata of %s: %v", topic, err)
	}
	var out []kafka.Message
	for _, tp := range md.Topics {
		if tp.Error != nil {
			return nil // not created yet
		}
		for _, p := range tp.Partitions {
			offs, err := client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
				topic: {kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID)},
			}})
			if err != nil {
				t.Fatalf("offsets of %s/%d: %v", topic, p.ID, err)
			}
			po := offs.Topics[topic][0]
			if po.LastOffset <= po.FirstOffset {
				continue
			}
			r := kafka.NewReader(kafka.ReaderConfig{Brokers: brokers, Topic: topic, Partition: p.ID, MaxWait: 50 * time.Millisecond})
			if err := r.SetOffset(po.FirstOffset); err != nil {
				t.Fatal(err)
			}
			for off := po.FirstOffset; off < po.LastOffset; off++ {
				m, err := r.ReadMessage(ctx)
				if err != nil {
					r.Close()
					t.Fatalf("read %s/%d at %d: %v", topic, p.ID, off, err)
				}
				out = append(out, m)
			}
			r.Close()
		}
	}
	return out
}

// CleanupTopics deletes, when the test ends, every topic whose name starts
// with prefix: the shared broker slows down under the partitions that many
// test runs would otherwise leave behind.
func CleanupTopics(t testing.TB, brokers []string, prefix string) {
	t.Helper()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := kafka.DialContext(ctx, "tcp", brokers[0])
		if err != nil {
			t.Logf("cleanup topics %s*: %v", prefix, err)
			return
		}
		defer conn.Close()
		parts, err := conn.ReadPartitions()
		if err != nil {
			t.Logf("cleanup topics %s*: %v", prefix, err)
			return
		}
		seen := map[string]bool{}
		var topics []string
		for _, p := range parts {
			if strings.HasPrefix(p.Topic, prefix) && !seen[p.Topic] {
				seen[p.Topic] = true
				topics = append(topics, p.Topic)
			}
		}
		if len(topics) == 0 {
			return
		}
		client := &kafka.Client{Addr: kafka.TCP(brokers...), Timeout: 30 * time.Second}
		if _, err := client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: topics}); err != nil {
			t.Logf("delete %d topics %s*: %v", len(topics), prefix, err)
		}
	})
}
