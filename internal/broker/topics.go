package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// Cluster is a connection to a Kafka cluster, shared by everything in a
// process that talks to it.
type Cluster struct {
	Client *kafka.Client
	Addr   net.Addr

	brokers    []string
	clientID   string
	security   Security
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
	Security          Security // TLS and SASL; validated by its role's Config
}

// NewCluster returns a Cluster; nothing is dialled until first use.
func NewCluster(cfg ClusterConfig) *Cluster {
	if cfg.ClientID == "" {
		cfg.ClientID = "belvo-pipeline"
	}
	tr := cfg.Security.Transport(cfg.ClientID)
	// Short enough that a moved leader or a restarted broker is found again
	// quickly.
	tr.MetadataTTL = 2 * time.Second
	return &Cluster{
		Client:     &kafka.Client{Addr: kafka.TCP(cfg.Brokers...), Timeout: 10 * time.Second, Transport: tr},
		Addr:       kafka.TCP(cfg.Brokers...),
		brokers:    cfg.Brokers,
		clientID:   cfg.ClientID,
		security:   cfg.Security,
		partitions: max(cfg.Partitions, 1),
		rf:         max(cfg.ReplicationFactor, 1),
		configs:    cfg.TopicConfigs,
		known:      make(map[string][]int),
	}
}

// Ping checks that a broker answers now, over TLS and SASL when they are
// configured. It dials afresh rather than going through the client's
// transport, whose cached metadata and pooled connections can hide an
// outage for a while. Refused credentials or an untrusted certificate are
// a *SecurityError: no retry mends them.
func (c *Cluster) Ping(ctx context.Context) error {
	var errs []error
	for _, addr := range c.brokers {
		conn, err := c.security.Dialer(2*time.Second, c.clientID).DialContext(ctx, "tcp", addr)
		if err != nil {
			if serr := securityFailure(err); serr != err {
				return serr
			}
			if c.security.TLS && (errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET)) {
				// A plaintext listener hangs up on a TLS client hello; so
				// does a broker going down, which is why this is retried.
				err = fmt.Errorf("%s: %w (the connection closed during the TLS handshake: is this a TLS listener? %s is on)", addr, err, EnvTLS)
			}
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

// Dialer is a dialer with the cluster's security, for kafka.ReaderConfig.
func (c *Cluster) Dialer() *kafka.Dialer { return c.security.Dialer(10*time.Second, c.clientID) }

// Transport is a new transport with the cluster's security, for a
// kafka.Client or kafka.Writer of its own.
func (c *Cluster) Transport() *kafka.Transport { return c.security.Transport(c.clientID) }

// ReaderConfig returns rc aimed at the cluster: its brokers, and a dialer
// with its security.
func (c *Cluster) ReaderConfig(rc kafka.ReaderConfig) kafka.ReaderConfig {
	rc.Brokers = c.brokers
	rc.Dialer = c.Dialer()
	return rc
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
	if err := c.EnsureTopics(ctx, topic); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.known[topic], nil
}

// EnsureTopics creates every topic missing from the cluster and waits until
// each partition of each topic has a leader. The missing ones are created in
// one request and awaited together: a role creates a couple of dozen topics at
// start, and one round of create-then-wait per topic adds up on a busy broker.
func (c *Cluster) EnsureTopics(ctx context.Context, topics ...string) error {
	c.mu.Lock()
	var todo []string
	for _, t := range topics {
		if _, ok := c.known[t]; !ok && !slices.Contains(todo, t) {
			todo = append(todo, t)
		}
	}
	c.mu.Unlock()
	if len(todo) == 0 {
		return nil
	}
	found, _, err := c.lookup(ctx, todo)
	if err != nil {
		return fmt.Errorf("look up topics: %w", err)
	}
	var req kafka.CreateTopicsRequest
	for _, t := range todo {
		if _, ok := found[t]; ok {
			continue
		}
		tc := kafka.TopicConfig{Topic: t, NumPartitions: c.partitions, ReplicationFactor: c.rf}
		for k, v := range c.configs {
			tc.ConfigEntries = append(tc.ConfigEntries, kafka.ConfigEntry{ConfigName: k, ConfigValue: v})
		}
		req.Topics = append(req.Topics, tc)
	}
	if len(req.Topics) > 0 {
		res, err := c.Client.CreateTopics(ctx, &req)
		if err != nil {
			names := make([]string, len(req.Topics))
			for i, tc := range req.Topics {
				names[i] = tc.Topic
			}
			return fmt.Errorf("create topics %s: %w", strings.Join(names, ", "), err)
		}
		for _, tc := range req.Topics {
			if err := res.Errors[tc.Topic]; err != nil && !errors.Is(err, kafka.TopicAlreadyExists) {
				return fmt.Errorf("create topic %s: %w", tc.Topic, err)
			}
		}
	}
	// A new topic's partitions have no leader for a moment; producing then
	// fails, so wait until metadata shows every leader.
	for {
		var missing error
		if found, missing, err = c.lookup(ctx, todo); err == nil && missing == nil {
			break
		}
		if missing == nil {
			missing = err
		}
		if err := backoff.Sleep(ctx, 20*time.Millisecond); err != nil {
			return fmt.Errorf("wait for topics: %w (last: %v)", err, missing)
		}
	}
	c.mu.Lock()
	maps.Copy(c.known, found)
	c.mu.Unlock()
	return nil
}

// lookup returns the partitions of those of topics that exist with a leader
// for every partition, and why one of the others is not there yet (nil when
// all are); err is set when the metadata request itself failed.
func (c *Cluster) lookup(ctx context.Context, topics []string) (found map[string][]int, missing, err error) {
	md, err := c.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, nil, err
	}
	found = make(map[string][]int, len(topics))
	for _, t := range md.Topics {
		if !slices.Contains(topics, t.Name) {
			continue
		}
		if parts, err := partitionsOf(t); err != nil {
			missing = err
		} else {
			found[t.Name] = parts
		}
	}
	for _, t := range topics {
		if _, ok := found[t]; !ok && missing == nil {
			missing = fmt.Errorf("topic %s not in metadata", t)
		}
	}
	return found, missing, nil
}

func partitionsOf(t kafka.Topic) ([]int, error) {
	if t.Error != nil {
		return nil, fmt.Errorf("topic %s: %w", t.Name, t.Error)
	}
	if len(t.Partitions) == 0 {
		return nil, fmt.Errorf("topic %s has no partitions yet", t.Name)
	}
	parts := make([]int, len(t.Partitions))
	for i, p := range t.Partitions {
		if p.Error != nil || p.Leader.Host == "" {
			return nil, fmt.Errorf("topic %s partition %d has no leader yet", t.Name, p.ID)
		}
		parts[i] = p.ID
	}
	slices.Sort(parts)
	return parts, nil
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
	tr := c.Transport()
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
