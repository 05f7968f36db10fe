package sink

import (
	"context"
	"iter"
	"slices"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"
	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/schemas"
)

// What the operator commands (belvo-pipeline replay and erase) use of the
// sink: they load and purge through the code below rather than a second
// copy of it, so a replayed record becomes exactly the row the sink makes.

// committer is what flush needs of the reader its messages came from: the
// group's *kafka.Reader, or noGroup for Load.
type committer interface {
	Stats() kafka.ReaderStats
	CommitMessages(ctx context.Context, msgs ...kafka.Message) error
}

// noGroup stands for the reader of messages read outside any consumer
// group: no rebalance can move them, and there is no offset to commit.
type noGroup struct{}

func (noGroup) Stats() kafka.ReaderStats                               { return kafka.ReaderStats{} }
func (noGroup) CommitMessages(context.Context, ...kafka.Message) error { return nil }

// LoadStats counts what Load did.
type LoadStats struct {
	Messages int // read from msgs
	Rows     int // sent to ClickHouse (a row it refuses is dead-lettered instead)
	Dead     int // dead-lettered before insertion (undecodable, not a row)
}

// Load loads msgs, read by the caller outside the sink's consumer group,
// through the group consumer's own path (decode, dead letter, link purges,
// batches, insert tokens, retries), flushing whenever a batch is full and
// once at the end. Two things differ, both because a replay exists to
// reload what a table lost:
//   - nothing is skipped as loaded: the live sink may have loaded later
//     offsets of the same partitions into a table recreated since, and the
//     loaded-offset skip would take the lost rows for loaded ones. A row
//     loaded twice is the same row (same id, version and lineage), which
//     the replacing engine collapses;
//   - nothing is committed: there is no group.
//
// Not safe for concurrent use, nor together with Run.
func (s *Sink) Load(ctx context.Context, msgs iter.Seq2[kafka.Message, error]) (LoadStats, error) {
	var st LoadStats
	p := newPending()
	flush := func() error {
		rows, dead := p.rows, len(p.dead)
		if err := s.flush(ctx, noGroup{}, p); err != nil {
			return err
		}
		st.Rows += rows
		st.Dead += dead
		p = newPending()
		return nil
	}
	for m, err := range msgs {
		if err != nil {
			return st, err
		}
		// read asks ClickHouse for the loaded offset when a partition's
		// offsets jump; telling it the previous offset was read and that
		// nothing is loaded makes it take every record.
		tp := topicPartition{m.Topic, m.Partition}
		s.seen[tp], s.loaded[tp] = m.Offset-1, -1
		full, err := s.read(ctx, p, m)
		if err != nil {
			return st, err
		}
		st.Messages++
		if full {
			if err := flush(); err != nil {
				return st, err
			}
		}
	}
	if p.empty() {
		return st, nil
	}
	return st, flush()
}

// TopicsOf returns, sorted, the topics the sink loads into table: one for
// a record table, every webhook topic of the catalogue for webhook_events.
func (s *Sink) TopicsOf(table string) []string {
	var out []string
	for topic, t := range s.byTopic {
		if t.name == table {
			out = append(out, topic)
		}
	}
	slices.Sort(out)
	return out
}

// Close releases what New opened, for a Sink whose Run never ran (Run
// releases them itself).
func (s *Sink) Close() {
	s.producer.Close()
	s.ch.Close()
	// The admin server only closes its listener on its way out of Run.
	done, cancel := context.WithCancel(context.Background())
	cancel()
	_ = s.admin.Run(done)
}

// PurgeLink turns every current row of link in tables into a deletion row,
// exactly as a successful link_deleted fact does (purgeLink), with
// webhookID and at as the deletion rows' lineage in place of the fact's.
// The rows carry no Kafka position (topic "", partition and offset -1), so
// they never count as a loaded offset.
func PurgeLink(ctx context.Context, conn clickhouse.Conn, database, link, webhookID string, at time.Time, tables []schemas.Resource) error {
	s := &Sink{ch: conn, cfg: Config{database: database}}
	return s.purgeLink(ctx, purge{linkID: link, webhookID: &webhookID, fetchedAt: at, partition: -1, offset: -1}, tables)
}
