package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"
)

// Message is one record to produce.
type Message struct {
	Topic   string
	Key     []byte
	Value   []byte
	Headers []kafka.Header
	Time    time.Time
}

// ProducerConfig tunes the Producer.
type ProducerConfig struct {
	// MaxBatch bounds the records of one produce request (default 5000).
	MaxBatch int
	// MaxBatchBytes bounds the keys, values and headers of one produce
	// request (default 900 KiB), under the broker's default
	// message.max.bytes (1 MiB) that a record batch must fit: a page of
	// large records is split rather than refused as MessageSizeTooLarge.
	MaxBatchBytes int
	// RetryBudget bounds how long one batch is retried on transient errors
	// before its waiters are told it failed (default 4s).
	RetryBudget time.Duration
	// Compression of produce requests (default none: webhooks are small and
	// latency matters more than bytes on the wire).
	Compression kafka.Compression
}

// Producer produces with acks=all and returns only when the broker has
// acknowledged, batching concurrent callers per partition (group commit) and
// the partitions of one leader into one produce request: with one request
// in flight per broker, everything that arrived meanwhile, for any of its
// partitions, goes in the next one.
type Producer struct {
	cluster *Cluster
	cfg     ProducerConfig
	hash    kafka.Murmur2Balancer

	mu      sync.Mutex
	queues  map[topicPartition]*queue
	brokers map[int]*leaderQueue
	leaders map[topicPartition]int // partition → leader's broker id, noLeader when none
	closed  bool
	wg      sync.WaitGroup
}

type topicPartition struct {
	topic     string
	partition int
}

// queue holds one partition's records. At most one request carries the
// partition at a time and a failed chunk is retried before anything after
// it, which keeps per-key order.
type queue struct {
	tp   topicPartition
	open *batch // callers' records not yet taken for sending

	cur      *batch    // the batch being sent, chunk by chunk
	rest     []Message // cur's records not yet acknowledged
	sent     int       // records of rest in the request in flight
	attempt  int       // failed attempts of rest's first chunk
	deadline time.Time // end of the retry budget of rest's first chunk

	hint int // records of the last batch taken, to size the next

	listed bool // waiting in its leader's queue
	busy   bool // in a request in flight, or waiting to retry
}

type batch struct {
	msgs []Message
	ctxs []context.Context
	done chan struct{}
	err  error
}

// maxHint caps a batch's preallocated records: a partition that once took a
// page of thousands must not hold that much for each record after.
const maxHint = 256

// ErrClosed is returned by Produce after Close.
var ErrClosed = errors.New("broker: producer closed")

// NewProducer returns a Producer over cluster.
func NewProducer(cluster *Cluster, cfg ProducerConfig) *Producer {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 5000
	}
	if cfg.MaxBatchBytes <= 0 {
		cfg.MaxBatchBytes = 900 << 10
	}
	if cfg.RetryBudget <= 0 {
		cfg.RetryBudget = 4 * time.Second
	}
	return &Producer{
		cluster: cluster,
		cfg:     cfg,
		hash:    kafka.Murmur2Balancer{Consistent: true},
		queues:  make(map[topicPartition]*queue),
		brokers: make(map[int]*leaderQueue),
		leaders: make(map[topicPartition]int),
	}
}

// Partition returns the partition of key in topic, as Java clients compute it
// (murmur2), so that other producers of the same keys agree with us.
func (p *Producer) Partition(ctx context.Context, topic string, key []byte) (int, error) {
	parts, err := p.cluster.Partitions(ctx, topic)
	if err != nil {
		return 0, err
	}
	return p.hash.Balance(kafka.Message{Key: key}, parts...), nil
}

// Produce sends msg and waits until the partition leader acknowledged it
// with acks=all, or ctx ends. A nil error means the record is stored; an
// error means it may or may not be (the caller must not claim it is).
func (p *Producer) Produce(ctx context.Context, msg Message) error {
	part, err := p.Partition(ctx, msg.Topic, msg.Key)
	if err != nil {
		return err
	}
	b, err := p.enqueue(ctx, topicPartition{msg.Topic, part}, msg)
	if err != nil {
		return err
	}
	select {
	case <-b.done:
		return b.err
	case <-ctx.Done():
		return fmt.Errorf("produce to %s: %w", msg.Topic, ctx.Err())
	}
}

// ProduceAll sends msgs and waits until every one is acknowledged with
// acks=all, or ctx ends. It enqueues them all before waiting, so a page of
// records costs one request per leader rather than one round trip per
// record; records of one partition keep their order in msgs. A nil error
// means every record is stored; an error means some may be.
func (p *Producer) ProduceAll(ctx context.Context, msgs []Message) error {
	batches := make([]*batch, 0, 4)
	for _, msg := range msgs {
		part, err := p.Partition(ctx, msg.Topic, msg.Key)
		if err != nil {
			return err
		}
		b, err := p.enqueue(ctx, topicPartition{msg.Topic, part}, msg)
		if err != nil {
			return err
		}
		// Consecutive records usually land in a batch already listed; only
		// distinct batches need waiting for.
		if !slices.Contains(batches, b) {
			batches = append(batches, b)
		}
	}
	var errs []error
	for _, b := range batches {
		select {
		case <-b.done:
			if b.err != nil {
				errs = append(errs, b.err)
			}
		case <-ctx.Done():
			return fmt.Errorf("produce %d records: %w", len(msgs), ctx.Err())
		}
	}
	return errors.Join(errs...)
}

func (p *Producer) enqueue(ctx context.Context, tp topicPartition, msg Message) (*batch, error) {
	for {
		b, known, err := p.tryEnqueue(ctx, tp, msg)
		if err != nil || known {
			return b, err
		}
		// The first record of a partition: learn its leader, without the
		// lock, then enqueue again.
		if err := p.refreshLeaders(ctx, tp); err != nil {
			return nil, err
		}
	}
}

// tryEnqueue appends msg to tp's open batch, unless tp's leader is not known
// yet (known false).
func (p *Producer) tryEnqueue(ctx context.Context, tp topicPartition, msg Message) (b *batch, known bool, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, true, ErrClosed
	}
	if _, ok := p.leaders[tp]; !ok {
		return nil, false, nil
	}
	q := p.queues[tp]
	if q == nil {
		q = &queue{tp: tp}
		p.queues[tp] = q
	}
	if q.open == nil {
		// Sized as the partition's last batch: under steady load batches
		// are alike, and growing one by appends copies it several times.
		q.open = &batch{done: make(chan struct{}), msgs: make([]Message, 0, q.hint), ctxs: make([]context.Context, 0, q.hint)}
	}
	b = q.open
	b.msgs = append(b.msgs, msg)
	b.ctxs = append(b.ctxs, ctx)
	p.list(q)
	return b, true, nil
}

// take makes q's next records current, when none are, and returns whether
// q has records to send. Callers that already gave up were answered "not
// stored": their records are left out rather than stored for nobody. Call
// with p.mu held.
func (p *Producer) take(q *queue) bool {
	for q.cur == nil && q.open != nil {
		b := q.open
		q.open = nil
		q.hint = min(len(b.msgs), maxHint)
		records := b.msgs[:0:0]
		for i, m := range b.msgs {
			if b.ctxs[i].Err() == nil {
				records = append(records, m)
			}
		}
		if len(records) == 0 {
			b.err = context.Canceled
			close(b.done)
			continue
		}
		q.cur, q.rest = b, records
	}
	return q.cur != nil
}

// finish answers the waiters of q's current batch. Call with p.mu held.
func (q *queue) finish(err error) {
	q.cur.err = err
	close(q.cur.done)
	q.cur, q.rest, q.sent, q.attempt, q.deadline = nil, nil, 0, 0, time.Time{}
}

// chunk returns how many of records, at least one, fit one request.
func (p *Producer) chunk(records []Message) int {
	n, _ := p.chunkSize(records)
	return n
}

// chunkSize returns how many of records, at least one, fit one request, and
// their size.
func (p *Producer) chunkSize(records []Message) (n, size int) {
	for i, m := range records {
		s := recordSize(m)
		if i > 0 && (i >= p.cfg.MaxBatch || size+s > p.cfg.MaxBatchBytes) {
			return i, size
		}
		size += s
	}
	return len(records), size
}

// recordSize bounds m's bytes in a v2 record batch: 70 bytes is a record's
// overhead there, at most.
func recordSize(m Message) int {
	size := len(m.Key) + len(m.Value) + 70
	for _, h := range m.Headers {
		size += len(h.Key) + len(h.Value)
	}
	return size
}

// retriable decides whether a failed produce request may be sent again.
// Everything is retried except errors that no retry can fix: a record or
// request the broker refuses as such, or a lack of authorization.
func retriable(err error) bool {
	var kerr kafka.Error
	if errors.As(err, &kerr) {
		switch kerr {
		case kafka.MessageSizeTooLarge, kafka.InvalidRecord,
			kafka.TopicAuthorizationFailed, kafka.ClusterAuthorizationFailed,
			kafka.InvalidRequiredAcks, kafka.UnsupportedVersion, kafka.InvalidTopic:
			return false
		}
	}
	return true
}

// Close waits for every in-flight batch to finish, then refuses new records.
// Call it after the producers' callers have stopped.
func (p *Producer) Close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	p.wg.Wait()
}

// ParseCompression reads a produce compression codec by the name Kafka's
// own clients use for compression.type: none, gzip, snappy, lz4 or zstd.
func ParseCompression(name string) (kafka.Compression, error) {
	switch name {
	case "none", "":
		return 0, nil
	case "gzip":
		return kafka.Gzip, nil
	case "snappy":
		return kafka.Snappy, nil
	case "lz4":
		return kafka.Lz4, nil
	case "zstd":
		return kafka.Zstd, nil
	}
	return 0, fmt.Errorf("unknown compression %q: one of none, gzip, snappy, lz4, zstd", name)
}
