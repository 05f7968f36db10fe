package broker

import (
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

func TestLagIsWhatTheGroupHasNotCommitted(t *testing.T) {
	brokers := testenv.Kafka(t)
	prefix := testenv.Prefix(t)
	t.Cleanup(func() { testenv.CleanupTopics(t, brokers, prefix) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cluster := NewCluster(ClusterConfig{Brokers: brokers, Partitions: 2})
	topic, never := prefix+".lag", prefix+".untouched"
	if err := cluster.EnsureTopics(ctx, topic, never); err != nil {
		t.Fatal(err)
	}
	p := NewProducer(cluster, ProducerConfig{})
	defer p.Close()
	var msgs []Message
	for i := range 10 {
		msgs = append(msgs, Message{Topic: topic, Key: []byte{byte(i)}, Value: []byte("v")})
	}
	if err := p.ProduceAll(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	// What the group has read: everything on partition 0 but its last two.
	marks, err := cluster.Client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
		topic: {kafka.LastOffsetOf(0)}}})
	if err != nil {
		t.Fatal(err)
	}
	end0 := marks.Topics[topic][0].LastOffset
	if end0 < 2 {
		t.Fatalf("partition 0 holds %d messages; the test needs 2", end0)
	}
	group := prefix + "-group"
	// On a fresh broker the first group request creates __consumer_offsets,
	// and the coordinator answers "not coordinator" until it has loaded.
	testenv.Eventually(t, 30*time.Second, "offset commit accepted", func() bool {
		res, err := cluster.Client.OffsetCommit(ctx, &kafka.OffsetCommitRequest{GroupID: group, GenerationID: -1,
			Topics: map[string][]kafka.OffsetCommit{topic: {{Partition: 0, Offset: end0 - 2}}}})
		if err == nil {
			for _, parts := range res.Topics {
				for _, r := range parts {
					err = cmp.Or(err, r.Error)
				}
			}
		}
		return settled(t, err)
	})

	lc := NewLagCollector(cluster, group, func() []string { return []string{topic, never} }, slog.New(slog.NewTextHandler(io.Discard, nil)))
	// Partition 1 was never committed on: all of it counts.
	want := 10 - (end0 - 2)
	// A topic just created can still answer "not leader" for a moment after
	// metadata shows its leader: that scrape fails, the next one counts.
	var lag map[string]int64
	testenv.Eventually(t, 30*time.Second, "lag read", func() bool {
		lag, err = lc.Lag(ctx)
		return settled(t, err)
	})
	if lag[topic] != want || lag[never] != 0 {
		t.Fatalf("lag %v, want %s=%d and %s=0", lag, topic, want, never)
	}
	// The same numbers through a Prometheus scrape.
	reg := prometheus.NewRegistry()
	reg.MustRegister(lc)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	scraped := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if f.GetName() == "belvo_consumer_lag_messages" && labels["group"] == group {
				scraped[labels["topic"]] = m.GetGauge().GetValue()
			}
		}
	}
	if scraped[topic] != float64(want) || len(scraped) != 2 {
		t.Fatalf("scraped %v, want %s=%d and %s=0", scraped, topic, want, never)
	}
}

// settled is whether err is nil; a Kafka error a retry may clear is not
// settled yet, and any other fails the test.
func settled(t *testing.T, err error) bool {
	t.Helper()
	var kerr kafka.Error
	if err != nil && !(errors.As(err, &kerr) && kerr.Temporary()) {
		t.Fatal(err)
	}
	return err == nil
}
