package broker

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

func TestTopicsWithPrefixListsOnlyThePrefix(t *testing.T) {
	brokers := testenv.Kafka(t)
	prefix := testenv.Prefix(t)
	t.Cleanup(func() { testenv.CleanupTopics(t, brokers, prefix) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// A client scoped to one topic, as the sink's is, must still see the rest.
	c := NewCluster(ClusterConfig{Brokers: brokers})
	if err := c.EnsureTopics(ctx, prefix+".webhooks.b", prefix+".webhooks.a", prefix+".records.x"); err != nil {
		t.Fatal(err)
	}
	got, err := c.TopicsWithPrefix(ctx, prefix+".webhooks.")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{prefix + ".webhooks.a", prefix + ".webhooks.b"}; !slices.Equal(got.Names(), want) || got[want[0]] != 1 {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A failed or empty discovery is retried; the same layout changes nothing;
// a different one is reported once.
func TestWatchTopicsReportsTheFirstDifferentLayout(t *testing.T) {
	for _, tc := range []struct {
		name string
		next Layout
	}{
		{"a new topic", Layout{"a": 1, "b": 1}},
		{"more partitions", Layout{"a": 3}},
	} {
		t.Run(tc.name, func(t *testing.T) { watchUntilChanged(t, tc.next) })
	}
}

func watchUntilChanged(t *testing.T, next Layout) {
	answers := []struct {
		topics Layout
		err    error
	}{
		{Layout{"a": 1}, nil},
		{nil, errors.New("broker down")},
		{nil, nil},
		{next, nil},
		{Layout{"a": 1, "b": 1, "c": 1}, nil},
	}
	calls, changed := 0, 0
	discover := func(context.Context) (Layout, error) {
		a := answers[min(calls, len(answers)-1)]
		calls++
		return a.topics, a.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	WatchTopics(ctx, time.Millisecond, Layout{"a": 1}, discover, func() { changed++ })
	if ctx.Err() != nil || changed != 1 || calls != 4 {
		t.Fatalf("changed %d times after %d discoveries (ctx %v); want once, after the fourth", changed, calls, ctx.Err())
	}
}

// EnsureTopics creates what is missing, leaves what exists as it is, and
// returns only once every partition has a leader (a producer can write).
func TestEnsureTopicsCreatesTheMissingOnesTogether(t *testing.T) {
	brokers := testenv.Kafka(t)
	prefix := testenv.Prefix(t)
	t.Cleanup(func() { testenv.CleanupTopics(t, brokers, prefix) })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := NewCluster(ClusterConfig{Brokers: brokers, Partitions: 1}).EnsureTopics(ctx, prefix+".old"); err != nil {
		t.Fatal(err)
	}
	c := NewCluster(ClusterConfig{Brokers: brokers, Partitions: 3})
	topics := []string{prefix + ".old", prefix + ".new.a", prefix + ".new.b", prefix + ".new.a"}
	if err := c.EnsureTopics(ctx, topics...); err != nil {
		t.Fatal(err)
	}
	for topic, want := range map[string]int{prefix + ".old": 1, prefix + ".new.a": 3, prefix + ".new.b": 3} {
		parts, err := c.Partitions(ctx, topic)
		if err != nil || len(parts) != want {
			t.Errorf("%s: partitions %v (%v), want %d", topic, parts, err, want)
		}
	}
	p := NewProducer(c, ProducerConfig{})
	defer p.Close()
	if err := p.Produce(ctx, Message{Topic: prefix + ".new.b", Key: []byte("k"), Value: []byte("v")}); err != nil {
		t.Fatalf("produce right after EnsureTopics: %v", err)
	}
}
