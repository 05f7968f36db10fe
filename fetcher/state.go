package fetcher

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
)

// stateEntry is the remembered notification of a link and resource, or,
// under a requestKey, what an asynchronous request of ours asked for.
type stateEntry struct {
	Date      string `json:"date"`       // YYYY-MM-DD of the notification: the next range's d1
	WebhookID string `json:"webhook_id"` // the notification that wrote it
	Prev      string `json:"prev"`       // d1 that notification used, so its replay asks the same

	Resource string `json:"resource,omitempty"` // the request's resource
	From     string `json:"from,omitempty"`     // its date_from and date_to, YYYY-MM-DD
	To       string `json:"to,omitempty"`
	Type     string `json:"type,omitempty"` // its type (invoices)
}

// StateTopic returns the compacted topic of the fetcher's state.
func StateTopic(prefix string) string { return prefix + ".fetcher.state" }

// state is the durable state of created_at__range: a compacted topic with
// one partition (a few keys per link, written once per notification), read
// fully at start and tailed afterwards so that a partition moved here from
// another replica finds that replica's writes. A write not yet tailed when
// a partition moves only makes d1 older, and a wider range can duplicate
// records but never lose one.
type state struct {
	topic    string
	cluster  *broker.Cluster
	producer *broker.Producer
	log      *slog.Logger

	mu      sync.RWMutex
	entries map[string]stateEntry
	next    int64 // offset the tail resumes at
}

func newState(topic string, cluster *broker.Cluster, producer *broker.Producer, log *slog.Logger) *state {
	return &state{topic: topic, cluster: cluster, producer: producer, log: log, entries: map[string]stateEntry{}}
}

func (s *state) get(key string) (stateEntry, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	e, ok := s.entries[key]
	return e, ok
}

// put stores an entry and returns once Kafka acknowledged it.
func (s *state) put(ctx context.Context, key string, e stateEntry) error {
	if err := s.producer.Produce(ctx, s.message(key, e)); err != nil {
		return fmt.Errorf("write state %s: %w", key, err)
	}
	s.stored(key, e)
	return nil
}

// message is the record of an entry, for a request that carries others.
func (s *state) message(key string, e stateEntry) broker.Message {
	v, _ := json.Marshal(e)
	return broker.Message{Topic: s.topic, Key: []byte(key), Value: v}
}

// stored applies an entry Kafka acknowledged: this replica reads its own
// writes before the tail brings them back.
func (s *state) stored(key string, e stateEntry) {
	s.mu.Lock()
	s.entries[key] = e
	s.mu.Unlock()
}

// tombstone is the record that deletes key from the compacted topic.
func (s *state) tombstone(key string) broker.Message {
	return broker.Message{Topic: s.topic, Key: []byte(key)}
}

// forgotten applies a tombstone Kafka acknowledged.
func (s *state) forgotten(key string) {
	s.mu.Lock()
	delete(s.entries, key)
	s.mu.Unlock()
}

// load reads the topic from its start to the end it has now.
func (s *state) load(ctx context.Context) error {
	offs, err := s.cluster.Client.ListOffsets(ctx, &kafka.ListOffsetsRequest{Topics: map[string][]kafka.OffsetRequest{
		s.topic: {kafka.FirstOffsetOf(0), kafka.LastOffsetOf(0)},
	}})
	if err != nil {
		return fmt.Errorf("state offsets: %w", err)
	}
	parts := offs.Topics[s.topic]
	if len(parts) != 1 || parts[0].Error != nil {
		return fmt.Errorf("state offsets of %s: %v", s.topic, parts)
	}
	first, last := parts[0].FirstOffset, parts[0].LastOffset
	s.next = first
	if last <= first {
		return nil
	}
	r := s.reader()
	defer r.Close()
	if err := r.SetOffset(first); err != nil {
		return err
	}
	// Compaction leaves gaps in offsets: read until the end offset is passed.
	for s.next < last {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			return fmt.Errorf("load state at offset %d: %w", s.next, err)
		}
		s.apply(m)
	}
	s.log.Info("state loaded", "topic", s.topic, "keys", len(s.entries), "offset", s.next)
	return nil
}

// tail keeps applying the topic's new records until ctx ends.
func (s *state) tail(ctx context.Context) error {
	r := s.reader()
	defer r.Close()
	if err := r.SetOffset(s.next); err != nil {
		return err
	}
	for {
		m, err := r.ReadMessage(ctx)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			if errors.Is(err, kafka.OffsetOutOfRange) {
				return fmt.Errorf("tail state: %w", err)
			}
			s.log.Warn("tail state", "err", err.Error())
			continue
		}
		s.apply(m)
	}
}

func (s *state) reader() *kafka.Reader {
	return kafka.NewReader(s.cluster.ReaderConfig(kafka.ReaderConfig{Topic: s.topic, Partition: 0,
		MaxWait: 500 * time.Millisecond, ReadBackoffMax: 500 * time.Millisecond}))
}

func (s *state) apply(m kafka.Message) {
	s.next = m.Offset + 1
	var e stateEntry
	if m.Value == nil {
		s.mu.Lock()
		delete(s.entries, string(m.Key))
		s.mu.Unlock()
		return
	}
	if err := json.Unmarshal(m.Value, &e); err != nil {
		s.log.Warn("state record is not JSON: ignored", "key", string(m.Key), "offset", m.Offset)
		return
	}
	s.mu.Lock()
	cur, ok := s.entries[string(m.Key)]
	// Our own write may already be newer than what the tail replays.
	if !ok || cur.Date <= e.Date {
		s.entries[string(m.Key)] = e
	}
	s.mu.Unlock()
}
