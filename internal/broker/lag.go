package broker

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"
)

// LagCollector exports a consumer group's lag per topic: the messages on
// the partitions' high watermarks that the group has not committed yet.
// kafka-go's group Reader reports no lag of its own, and a stage's lag is
// the first thing an operator looks at (it is also what KEDA scales on, so
// the dashboard and the autoscaler agree).
//
// Lag is computed on scrape from the broker's view (committed offsets and
// high watermarks), so it is right whichever replica owns a partition.
type LagCollector struct {
	cluster *Cluster
	group   string
	topics  func() []string
	timeout time.Duration
	log     *slog.Logger
	desc    *prometheus.Desc
}

// NewLagCollector returns a collector of group's lag on the topics that
// topics returns at each scrape (a stage that discovers topics passes its
// current list).
func NewLagCollector(cluster *Cluster, group string, topics func() []string, log *slog.Logger) *LagCollector {
	return &LagCollector{
		cluster: cluster, group: group, topics: topics, timeout: 5 * time.Second, log: log,
		desc: prometheus.NewDesc("belvo_consumer_lag_messages",
			"Messages on the topic's partitions not yet committed by the consumer group.",
			// group is constant per collector: the fetcher's and the sink's
			// collectors then differ and can share one registry (`run`).
			[]string{"topic"}, prometheus.Labels{"group": group}),
	}
}

func (l *LagCollector) Describe(ch chan<- *prometheus.Desc) { ch <- l.desc }

func (l *LagCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), l.timeout)
	defer cancel()
	lag, err := l.Lag(ctx)
	if err != nil {
		// A scrape must not fail as a whole because the broker is slow: the
		// lag series are missing from it, which alerting treats as unknown.
		l.log.Warn("consumer lag not measured", "group", l.group, "err", err)
		return
	}
	for topic, n := range lag {
		ch <- prometheus.MustNewConstMetric(l.desc, prometheus.GaugeValue, float64(n), topic)
	}
}

// Lag returns the group's lag per topic. A partition the group never
// committed on counts from its earliest retained offset.
func (l *LagCollector) Lag(ctx context.Context) (map[string]int64, error) {
	want := map[string][]int{}
	offsets := map[string][]kafka.OffsetRequest{}
	topics := l.topics()
	if len(topics) == 0 {
		return map[string]int64{}, nil
	}
	md, err := l.cluster.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("metadata: %w", err)
	}
	for _, t := range md.Topics {
		if t.Error != nil {
			continue // not created yet: nothing to lag on
		}
		for _, p := range t.Partitions {
			want[t.Name] = append(want[t.Name], p.ID)
			offsets[t.Name] = append(offsets[t.Name], kafka.FirstOffsetOf(p.ID), kafka.LastOffsetOf(p.ID))
		}
	}
	if len(want) == 0 {
		return map[string]int64{}, nil
	}
	committed, err := l.cluster.Client.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: l.group, Topics: want})
	if err != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", l.group, err)
	}
	if committed.Error != nil {
		return nil, fmt.Errorf("fetch offsets of group %s: %w", l.group, committed.Error)
	}
	marks, err := l.cluster.Client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: offsets})
	if err != nil {
		return nil, fmt.Errorf("list offsets: %w", err)
	}
	lag := make(map[string]int64, len(want))
	for topic, parts := range marks.Topics {
		done := map[int]int64{}
		for _, c := range committed.Topics[topic] {
			if c.Error != nil {
				return nil, fmt.Errorf("committed offset of %s/%d: %w", topic, c.Partition, c.Error)
			}
			done[c.Partition] = c.CommittedOffset
		}
		var sum int64
		for _, p := range parts {
			if p.Error != nil {
				return nil, fmt.Errorf("offsets of %s/%d: %w", topic, p.Partition, p.Error)
			}
			from, ok := done[p.Partition]
			if !ok || from < p.FirstOffset {
				from = p.FirstOffset
			}
			sum += max(p.LastOffset-from, 0)
		}
		lag[topic] = sum
	}
	return lag, nil
}
