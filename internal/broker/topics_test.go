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
	if want := []string{prefix + ".webhooks.a", prefix + ".webhooks.b"}; !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
}

// A failed or empty discovery is retried; the same list changes nothing;
// a different one is reported once.
func TestWatchTopicsReportsTheFirstDifferentList(t *testing.T) {
	answers := []struct {
		topics []string
		err    error
	}{
		{[]string{"a"}, nil},
		{nil, errors.New("broker down")},
		{nil, nil},
		{[]string{"a", "b"}, nil},
		{[]string{"a", "b", "c"}, nil},
	}
	calls, changed := 0, 0
	discover := func(context.Context) ([]string, error) {
		a := answers[min(calls, len(answers)-1)]
		calls++
		return a.topics, a.err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	WatchTopics(ctx, time.Millisecond, []string{"a"}, discover, func() { changed++ })
	if ctx.Err() != nil || changed != 1 || calls != 4 {
		t.Fatalf("changed %d times after %d discoveries (ctx %v); want once, after the fourth", changed, calls, ctx.Err())
	}
}
