package ops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/finflow/belvo-pipeline/sink"
)

// ReplayConfig is what `belvo-pipeline replay` needs: the sink's settings
// (it loads through the sink's code, with the same batches, retries and
// dead-letter topic) and what to reload.
type ReplayConfig struct {
	Sink      sink.Config
	Resources []string // --resource: tables to reload
	From      string   // --from: first record time
	To        string   // --to: end of the records' times, exclusive; empty for now

	from, to time.Time
}

// Bind registers the settings in s.
func (c *ReplayConfig) Bind(s *config.Set) {
	c.Sink.Bind(s)
	s.Strings(&c.Resources, "resource", "", "", "tables to reload, comma-separated or the flag repeated: resources and facts (transactions, link_events, ...), webhook_events, institution_status (required)")
	s.String(&c.From, "from", "", "", "reload the records Kafka received at or after this time: RFC 3339 or YYYY-MM-DD (UTC) (required)")
	s.String(&c.To, "to", "", "", "and before this time (same forms); empty: up to the end of each partition when the replay starts")
}

// Validate checks the replay's own settings; the sink's are checked by
// sink.New.
func (c *ReplayConfig) Validate() error {
	c.Resources = distinct(c.Resources)
	if len(c.Resources) == 0 {
		return config.Invalid("", "resource", "required: the tables to reload")
	}
	var err error
	if c.from, err = parseTime(c.From); err != nil || c.From == "" {
		return config.Invalid("", "from", "want an RFC 3339 time or a YYYY-MM-DD date, got %q", c.From)
	}
	if c.To != "" {
		if c.to, err = parseTime(c.To); err != nil {
			return config.Invalid("", "to", "want an RFC 3339 time or a YYYY-MM-DD date, got %q", c.To)
		}
		if !c.to.After(c.from) {
			return config.Invalid("", "to", "%s is not after --from %s", c.To, c.From)
		}
	}
	return nil
}

func parseTime(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	return time.Parse(time.DateOnly, s)
}

// partitionRange is the offsets [first, end) of one partition to reload.
type partitionRange struct {
	topic      string
	partition  int
	first, end int64
}

// ReplayStats is what a replay did.
type ReplayStats struct {
	sink.LoadStats
	Reerased uint64 // rows of erased links the replay brought back, erased again
}

// Replay reloads into ClickHouse the records of cfg.Resources' topics that
// Kafka received in [From, To): each partition's offsets are looked up by
// time, the partitions are read without a consumer group (nothing is
// committed, the pipeline's groups are untouched), and every record goes
// through the sink's own loading (sink.Load). Reloading a record gives the
// row the sink gave it, so a replay is idempotent under FINAL. The links
// an erasure removed are erased again from the reloaded tables afterwards.
func Replay(ctx context.Context, cfg ReplayConfig, log *slog.Logger, out io.Writer) (ReplayStats, error) {
	var st ReplayStats
	if err := cfg.Validate(); err != nil {
		return st, err
	}
	// A replay serves no health or metrics: it must not take the address of
	// a sink running beside it.
	cfg.Sink.AdminAddr = "127.0.0.1:0"
	s, err := sink.New(cfg.Sink, log, prometheus.NewRegistry())
	if err != nil {
		return st, err
	}
	defer s.Close()
	var topics []string
	var tables []schemas.Resource
	audit := false
	for _, name := range cfg.Resources {
		ts := s.TopicsOf(name)
		if len(ts) == 0 {
			return st, config.Invalid("", "resource", "%q is not a table the sink loads", name)
		}
		topics = append(topics, ts...)
		if r, ok := schemas.TableByName(name); ok {
			tables = append(tables, r)
		}
		audit = audit || name == webhookEventsTable
	}
	cluster := broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Sink.Brokers, ClientID: "belvo-replay", Security: cfg.Sink.Kafka})
	ranges, err := replayRanges(ctx, cluster, topics, cfg.from, cfg.to)
	if err != nil {
		return st, err
	}
	var total int64
	for _, r := range ranges {
		total += r.end - r.first
	}
	fmt.Fprintf(out, "replaying %d records of %d partitions (%s)\n", total, len(ranges), strings.Join(cfg.Resources, ", "))
	st.LoadStats, err = s.Load(ctx, readRanges(ctx, cluster, ranges, out))
	if err != nil {
		return st, err
	}
	fmt.Fprintf(out, "replayed %d records: %d rows loaded, %d dead-lettered\n", st.Messages, st.Rows, st.Dead)
	if len(tables) > 0 || audit {
		conn, db, err := migrate.Open(cfg.Sink.DSN)
		if err != nil {
			return st, err
		}
		defer conn.Close()
		if st.Reerased, err = reapplyErasures(ctx, conn, db, tables, audit); err != nil {
			return st, err
		}
		if st.Reerased > 0 {
			fmt.Fprintf(out, "erased again %d reloaded rows of erased links\n", st.Reerased)
		}
	}
	return st, nil
}

// replayRanges looks up, per partition of topics, the first offset whose
// record Kafka received at or after from, and the first at or after to
// (the end of the partition when to is zero or later than every record).
func replayRanges(ctx context.Context, cluster *broker.Cluster, topics []string, from, to time.Time) ([]partitionRange, error) {
	md, err := cluster.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: topics})
	if err != nil {
		return nil, fmt.Errorf("look up topics: %w", err)
	}
	var out []partitionRange
	for _, t := range md.Topics {
		if t.Error != nil {
			if errors.Is(t.Error, kafka.UnknownTopicOrPartition) {
				continue // never written: nothing to replay
			}
			return nil, fmt.Errorf("look up topic %s: %w", t.Name, t.Error)
		}
		parts := make([]int, len(t.Partitions))
		for i, p := range t.Partitions {
			parts[i] = p.ID
		}
		ends, err := listOffsets(ctx, cluster, t.Name, parts, kafka.LastOffset)
		if err != nil {
			return nil, err
		}
		firsts, err := listOffsets(ctx, cluster, t.Name, parts, from.UnixMilli())
		if err != nil {
			return nil, err
		}
		lasts := ends
		if !to.IsZero() {
			if lasts, err = listOffsets(ctx, cluster, t.Name, parts, to.UnixMilli()); err != nil {
				return nil, err
			}
		}
		for _, p := range parts {
			end := ends[p]
			first, ok := firsts[p]
			if !ok {
				first = end // no record at or after from
			}
			if last, ok := lasts[p]; ok && last < end {
				end = last
			}
			if first < end {
				out = append(out, partitionRange{topic: t.Name, partition: p, first: first, end: end})
			}
		}
	}
	slices.SortFunc(out, func(a, b partitionRange) int {
		if c := strings.Compare(a.topic, b.topic); c != 0 {
			return c
		}
		return a.partition - b.partition
	})
	return out, nil
}

// listOffsets asks for the offset of each partition at ts: a time in Unix
// milliseconds (the first record with a later or equal timestamp), or
// kafka.LastOffset (the end). A partition without such a record is left
// out of the answer.
func listOffsets(ctx context.Context, cluster *broker.Cluster, topic string, parts []int, ts int64) (map[int]int64, error) {
	req := &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{}}
	for _, p := range parts {
		req.Topics[topic] = append(req.Topics[topic], kafka.OffsetRequest{Partition: p, Timestamp: ts})
	}
	res, err := cluster.Client.ListOffsets(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("list offsets of %s: %w", topic, err)
	}
	out := map[int]int64{}
	for _, po := range res.Topics[topic] {
		if po.Error != nil {
			return nil, fmt.Errorf("list offsets of %s/%d: %w", topic, po.Partition, po.Error)
		}
		if ts == kafka.LastOffset {
			out[po.Partition] = po.LastOffset
			continue
		}
		// kafka-go files a time lookup's answer by its record's timestamp,
		// and a lookup past the last record answers offset -1 with
		// timestamp -1, which it files as LastOffset.
		for off := range po.Offsets {
			if off >= 0 {
				out[po.Partition] = off
			}
		}
	}
	return out, nil
}

// readRanges yields every record of ranges, one partition after another,
// reporting each partition done on out.
func readRanges(ctx context.Context, cluster *broker.Cluster, ranges []partitionRange, out io.Writer) iter.Seq2[kafka.Message, error] {
	return func(yield func(kafka.Message, error) bool) {
		for _, r := range ranges {
			n, err := readRange(ctx, cluster, r, yield)
			if err != nil {
				yield(kafka.Message{}, err)
				return
			}
			if n < 0 {
				return // the consumer stopped
			}
			fmt.Fprintf(out, "  %s/%d: offsets %d..%d, %d records\n", r.topic, r.partition, r.first, r.end-1, n)
		}
	}
}

// readRange yields the records of one range and returns how many, or -1
// when yield asked to stop. Offsets may skip (compaction, transaction
// markers): it stops at the first record at or past the range's end.
func readRange(ctx context.Context, cluster *broker.Cluster, r partitionRange, yield func(kafka.Message, error) bool) (int, error) {
	reader := kafka.NewReader(cluster.ReaderConfig(kafka.ReaderConfig{
		Topic: r.topic, Partition: r.partition,
		MinBytes: 1, MaxBytes: 16 << 20, MaxWait: 500 * time.Millisecond,
	}))
	defer reader.Close()
	if err := reader.SetOffset(r.first); err != nil {
		return 0, fmt.Errorf("seek %s/%d to %d: %w", r.topic, r.partition, r.first, err)
	}
	n := 0
	for {
		m, err := reader.FetchMessage(ctx)
		if err != nil {
			return n, fmt.Errorf("read %s/%d at %d: %w", r.topic, r.partition, r.first+int64(n), err)
		}
		if m.Offset >= r.end {
			return n, nil
		}
		n++
		if !yield(m, nil) {
			return -1, nil
		}
		if m.Offset >= r.end-1 {
			return n, nil
		}
	}
}
