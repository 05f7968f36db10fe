package broker

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Cluster is a connection to a Kafka cluster, shared by everything in a
// process that talks to it.
type Cluster struct {
	Client *kafka.Client
	Addr   net.Addr

	brokers    []string
	clientID   string
	partitions int
	rf         int
	configs    map[string]string

	mu    sync.Mutex
	known map[string][]int // topic → partition ids, once created and with leaders
}

// ClusterConfig says where the cluster is and how new topics are made.
type ClusterConfig struct {
	Brokers           []string
	Partitions        int               // partitions of topics this process creates
	ReplicationFactor int               // replication factor of topics this process creates
	TopicConfigs      map[string]string // e.g. cleanup.policy for state topics
	ClientID          string
}

// NewCluster returns a Cluster; nothing is dialled until first use.
func NewCluster(cfg ClusterConfig) *Cluster {
	if cfg.ClientID == "" {
		cfg.ClientID = "belvo-pipeline"
	}
	return &Cluster{
		Client: &kafka.Client{
			Addr:    kafka.TCP(cfg.Brokers...),
			Timeout: 10 * time.Second,
			Transport: &kafka.Transport{
				ClientID:    cfg.ClientID,
				DialTimeout: 3 * time.Second,
				// Short enough that a moved leader or a restarted broker is
				// found again quickly.
				MetadataTTL: 2 * time.Second,
			},
		},
		Addr:       kafka.TCP(cfg.Brokers...),
		brokers:    cfg.Brokers,
		clientID:   cfg.ClientID,
		partitions: max(cfg.Partitions, 1),
		rf:         max(cfg.ReplicationFactor, 1),
		configs:    cfg.TopicConfigs,
		known:      make(map[string][]int),
	}
}

// Ping checks that a broker answers now. It dials afresh rather than going
// through the client's transport, whose cached metadata and pooled
// connections can hide an outage for a while.
func (c *Cluster) Ping(ctx context.Context) error {
	var errs []error
	for _, addr := range c.brokers {
		conn, err := (&kafka.Dialer{Timeout: 2 * time.Second}).DialContext(ctx, "tcp", addr)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		_, err = conn.ApiVersions()
		conn.Close()
		if err == nil {
			return nil
		}
		errs = append(errs, err)
	}
	return fmt.Errorf("no broker answers: %w", errors.Join(errs...))
}

// Partitions returns the partition ids of topic, creating the topic with the
// cluster's defaults when it does not exist yet. The answer is cached: topics
// are never deleted under a running pipeline.
func (c *Cluster) Partitions(ctx context.Context, topic string) ([]int, error) {
	c.mu.Lock()
	parts, ok := c.known[topic]
	c.mu.Unlock()
	if ok {
		return parts, nil
	}
	parts, err := c.ensure(ctx, topic)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.known[topic] = parts
	c.mu.Unlock()
	return parts, nil
}

// EnsureTopics creates every topic missing from the cluster.
func (c *Cluster) EnsureTopics(ctx context.Context, topics ...string) error {
	for _, t := range topics {
		if _, err := c.Partitions(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

func (c *Cluster) ensure(ctx context.Context, topic string) ([]int, error) {
	if parts, err := c.lookup(ctx, topic); err == nil {
		return parts, nil
	}
	tc := kafka.TopicConfig{Topic: topic, NumPartitions: c.partitions, ReplicationFactor: c.rf}
	for k, v := range c.configs {
		tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
	}
	res, err := c.Client.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{tc}})
	if err != nil {
		return nil, fmt.Errorf("create topic %s: %w", topic, err)
	}
	if err := res.Errors[topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
		return nil, fmt.Errorf("create topic %s: %w", topic, err)
	}
	// A new topic's partitions have no leader for a moment; producing then
	// fails, so wait until metadata shows every leader.
	for {
		parts, err := c.lookup(ctx, topic)
		if err == nil {
			return parts, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("wait for topic %s: %w (last: %v)", topic, ctx.Err(), err)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

func (c *Cluster) lookup(ctx context.Context, topic string) ([]int, error) {
	md, err := c.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
	if err != nil {
		return nil, err
	}
	for _, t := range md.Topics {
		if t.Name != topic {
			continue
		}
		if t.Error != nil {
			return nil, t.Error
		}
		if len(t.Partitions) == 0 {
			return nil, fmt.Errorf("topic %s has no partitions yet", topic)
		}
		parts := make([]int, len(t.Partitions))
		for i, p := range t.Partitions {
			if p.Error != nil || p.Leader.Host == "" {
				return nil, fmt.Errorf("topic %s partition %d has no leader yet", topic, p.ID)
			}
			parts[i] = p.ID
		}
		slices.Sort(parts)
		return parts, nil
	}
	return nil, fmt.Errorf("topic %s not in metadata", topic)
}

// Layout is a set of topics and how many partitions each has: what a
// consumer group was joined with, compared with what the cluster has now.
type Layout map[string]int

// Names returns the topics, sorted.
func (l Layout) Names() []string { return slices.Sorted(maps.Keys(l)) }

// TopicsWithPrefix returns the cluster's topics whose names start with
// prefix, with their partition counts; topics the broker reports an error
// for (still being created) are left for the next call. It uses a transport
// of its own for the one request: a client whose transport is scoped to
// known topics (the sink's) answers metadata from its cache and would never
// show a new one, and a bare connection's metadata call fails as a whole on
// any topic's error.
func (c *Cluster) TopicsWithPrefix(ctx context.Context, prefix string) (Layout, error) {
	tr := &kafka.Transport{ClientID: c.clientID, DialTimeout: 3 * time.Second}
	defer tr.CloseIdleConnections()
	md, err := (&kafka.Client{Addr: c.Addr, Timeout: 10 * time.Second, Transport: tr}).Metadata(ctx, &kafka.MetadataRequest{})
	if err != nil {
		return nil, fmt.Errorf("list topics: %w", err)
	}
	out := Layout{}
	for _, t := range md.Topics {
		if t.Error == nil && len(t.Partitions) > 0 && strings.HasPrefix(t.Name, prefix) {
			out[t.Name] = len(t.Partitions)
		}
	}
	return out, nil
}

// WatchTopics calls discover every interval until it returns a non-empty
// layout other than current, then calls changed once and returns; it also
// returns when ctx ends. Discovery errors are retried at the next tick.
// Stages that subscribe a consumer group to a discovered topic list use it
// to re-join when a topic appears (a new webhook type) or gains partitions
// (an operator scaling out). It replaces kafka-go's WatchPartitionChanges,
// which polls every topic on the group coordinator's connection and ends the
// group's generation on any one failed poll: with some forty topics on a
// busy broker, a stream of needless rebalances.
func WatchTopics(ctx context.Context, every time.Duration, current Layout, discover func(context.Context) (Layout, error), changed func()) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		found, err := discover(ctx)
		if err != nil || len(found) == 0 || maps.Equal(found, current) {
			continue
		}
		changed()
		return
	}
}
