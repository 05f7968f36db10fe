package broker

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

func parseSecurity(t *testing.T, env map[string]string) (Security, error) {
	t.Helper()
	var s Security
	set := config.New("test")
	s.Bind(set)
	if _, err := set.Parse(nil, func(k string) string { return env[k] }); err != nil {
		t.Fatal(err)
	}
	return s, s.Validate()
}

// Every inconsistent or unreadable setting is refused at start, naming the
// variable to fix.
func TestSecuritySettingsNameTheBadVariable(t *testing.T) {
	dir := t.TempDir()
	notPEM := filepath.Join(dir, "ca.txt")
	if err := os.WriteFile(notPEM, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{EnvTLSCAFile: filepath.Join(dir, "missing.pem")}, EnvTLSCAFile},
		{map[string]string{EnvTLSCAFile: notPEM}, EnvTLSCAFile},
		{map[string]string{EnvTLSCertFile: notPEM}, EnvTLSKeyFile},
		{map[string]string{EnvTLSKeyFile: notPEM}, EnvTLSCertFile},
		{map[string]string{EnvSASLMechanism: "SCRAM-SHA-1", EnvSASLUsername: "u", EnvSASLPassword: "p"}, EnvSASLMechanism},
		{map[string]string{EnvSASLMechanism: "SCRAM-SHA-512", EnvSASLPassword: "p"}, EnvSASLUsername},
		{map[string]string{EnvSASLMechanism: "SCRAM-SHA-512", EnvSASLUsername: "u"}, EnvSASLPassword},
		{map[string]string{EnvSASLUsername: "u", EnvSASLPassword: "p"}, EnvSASLMechanism},
		{map[string]string{EnvSASLMechanism: "PLAIN", EnvSASLUsername: "u", EnvSASLPassword: "p"}, EnvSASLMechanism},
	} {
		_, err := parseSecurity(t, tc.env)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("%v: error %v, want one naming %s", tc.env, err, tc.want)
		}
	}
	s, err := parseSecurity(t, map[string]string{EnvSASLMechanism: "scram-sha-256", EnvSASLUsername: "u", EnvSASLPassword: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.String(); strings.Contains(got, "s3cret") || !strings.Contains(got, "SCRAM-SHA-256") {
		t.Fatalf("String() = %q: must name the mechanism and never the password", got)
	}
}

// Over the local broker's SASL_SSL listener: records go in and come out
// with the same settings the roles use, while wrong credentials, an
// untrusted certificate and TLS to a plaintext port fail within seconds
// with a *SecurityError that names the settings, not a hang; TLS to a
// plaintext port fails at once with a hint.
func TestSecuredListener(t *testing.T) {
	env := testenv.SecureKafka(t)
	brokers := strings.Split(env["KAFKA_BROKERS"], ",")
	sec, err := parseSecurity(t, env)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cluster := NewCluster(ClusterConfig{Brokers: brokers, Partitions: 2, Security: sec})
	if err := cluster.Ping(ctx); err != nil {
		t.Fatalf("ping over SASL_SSL: %v", err)
	}
	topic := testenv.Prefix(t) + ".secure"
	t.Cleanup(func() {
		_, _ = cluster.Client.DeleteTopics(context.Background(), &kafka.DeleteTopicsRequest{Topics: []string{topic}})
	})
	p := NewProducer(cluster, ProducerConfig{})
	defer p.Close()
	if err := p.Produce(ctx, Message{Topic: topic, Key: []byte("k"), Value: []byte("over tls")}); err != nil {
		t.Fatalf("produce over SASL_SSL: %v", err)
	}
	parts, err := cluster.Partitions(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	got := 0
	for _, part := range parts {
		r := kafka.NewReader(cluster.ReaderConfig(kafka.ReaderConfig{Topic: topic, Partition: part, MaxWait: 100 * time.Millisecond}))
		end, err := cluster.Client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{topic: {kafka.LastOffsetOf(part)}}})
		if err != nil {
			t.Fatal(err)
		}
		if end.Topics[topic][0].LastOffset > 0 {
			m, err := r.ReadMessage(ctx)
			if err != nil {
				t.Fatalf("read over SASL_SSL: %v", err)
			}
			if string(m.Value) != "over tls" {
				t.Fatalf("read %q", m.Value)
			}
			got++
		}
		r.Close()
	}
	if got != 1 {
		t.Fatalf("read %d records, want 1", got)
	}

	refused := func(what string, env map[string]string, brokers []string) {
		t.Helper()
		sec, err := parseSecurity(t, env)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		start := time.Now()
		err = NewCluster(ClusterConfig{Brokers: brokers, Security: sec}).Ping(ctx)
		var se *SecurityError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), EnvSASLUsername) {
			t.Fatalf("%s: Ping = %v, want a *SecurityError naming the settings", what, err)
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: failed only when the deadline passed (%s): a hang, not a refusal", what, time.Since(start))
		}
	}
	wrong := copyEnv(env)
	wrong["KAFKA_SASL_PASSWORD"] = "not-the-password"
	refused("wrong password", wrong, brokers)
	untrusted := copyEnv(env)
	delete(untrusted, "KAFKA_TLS_CA_FILE") // the system pool does not know the local CA
	refused("untrusted certificate", untrusted, brokers)
	// A plaintext listener just hangs up on TLS, as a broker going down
	// would: retried, but the error says what to check.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel2()
	err = NewCluster(ClusterConfig{Brokers: testenv.Kafka(t), Security: sec}).Ping(ctx2)
	if err == nil || !strings.Contains(err.Error(), "is this a TLS listener") || ctx2.Err() != nil {
		t.Fatalf("TLS to the plaintext listener: Ping = %v, want a prompt error that asks whether it is a TLS listener", err)
	}
}

func copyEnv(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
