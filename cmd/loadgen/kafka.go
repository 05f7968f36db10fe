package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
)

// loopbackBrokers refuses broker addresses off this machine: a benchmark
// writes hundreds of thousands of events and must not reach a shared cluster.
func loopbackBrokers(list string) ([]string, error) {
	var out []string
	for _, b := range strings.Split(list, ",") {
		host, _, err := net.SplitHostPort(strings.TrimSpace(b))
		if err != nil {
			return nil, fmt.Errorf("broker %q: %w", b, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return nil, fmt.Errorf("broker %q is not a loopback address", b)
		}
		out = append(out, strings.TrimSpace(b))
	}
	return out, nil
}

// topic creates a topic for a peer that would otherwise rely on the
// broker's automatic creation and its default partition count, or deletes
// the topics a benchmark run made (-delete PREFIX).
func topic(args []string) error {
	fs := flag.NewFlagSet("topic", flag.ContinueOnError)
	brokers := fs.String("brokers", "127.0.0.1:9092", "Kafka brokers (loopback only)")
	name := fs.String("topic", "", "topic to create")
	parts := fs.Int("partitions", 6, "partitions")
	del := fs.String("delete", "", "delete every topic whose name starts with this prefix instead")
	if err := fs.Parse(args); err != nil {
		return err
	}
	list, err := loopbackBrokers(*brokers)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: list, Partitions: *parts, ClientID: "loadgen"})
	if *del == "" {
		return cluster.EnsureTopics(ctx, *name)
	}
	if len(*del) < len("bench") {
		return fmt.Errorf("-delete %q: too short a prefix to be one run's", *del)
	}
	layout, err := cluster.TopicsWithPrefix(ctx, *del)
	if err != nil || len(layout) == 0 {
		return err
	}
	res, err := cluster.Client.DeleteTopics(ctx, &kafka.DeleteTopicsRequest{Topics: layout.Names()})
	if err != nil {
		return err
	}
	var errs []error
	for t, e := range res.Errors {
		if e != nil {
			errs = append(errs, fmt.Errorf("delete %s: %w", t, e))
		}
	}
	return errors.Join(errs...)
}

// eventCounter sums the end offsets of every topic whose name starts with a
// prefix: taken before and after a run on topics only the benchmark writes,
// the difference is the number of events the run stored.
type eventCounter struct {
	cluster *broker.Cluster
	prefix  string
}

func newEventCounter(brokers, prefix string) (*eventCounter, error) {
	if brokers == "" || prefix == "" {
		return nil, nil
	}
	list, err := loopbackBrokers(brokers)
	if err != nil {
		return nil, err
	}
	return &eventCounter{cluster: broker.NewCluster(broker.ClusterConfig{Brokers: list, ClientID: "loadgen"}), prefix: prefix}, nil
}

func (e *eventCounter) count(ctx context.Context) (int64, error) {
	layout, err := e.cluster.TopicsWithPrefix(ctx, e.prefix)
	if err != nil {
		return 0, err
	}
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for t, n := range layout {
		for p := range n {
			req.Topics[t] = append(req.Topics[t], kafka.LastOffsetOf(p))
		}
	}
	if len(req.Topics) == 0 {
		return 0, nil
	}
	res, err := e.cluster.Client.ListOffsets(ctx, req)
	if err != nil {
		return 0, err
	}
	var sum int64
	for t, parts := range res.Topics {
		for _, p := range parts {
			if p.Error != nil {
				return 0, fmt.Errorf("end offset of %s/%d: %w", t, p.Partition, p.Error)
			}
			sum += p.LastOffset
		}
	}
	return sum, nil
}
