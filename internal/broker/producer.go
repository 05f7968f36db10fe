package broker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/backoff"
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
// acknowledged, batching concurrent callers per partition (group commit).
type Producer struct {
	cluster *Cluster
	cfg     ProducerConfig
	hash    kafka.Murmur2Balancer

	mu     sync.Mutex
	queues map[topicPartition]*queue
	closed bool
	wg     sync.WaitGroup
}

type topicPartition struct {
	topic     string
	partition int
}

// queue holds one partition's pending records. At most one produce request
// per partition is in flight, which keeps per-key order.
type queue struct {
	open     *batch
	inflight bool
}

type batch struct {
	msgs []Message
	ctxs []context.Context
	done chan struct{}
	err  error
}

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
// records costs one request per partition rather than one round trip per
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
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil, ErrClosed
	}
	q := p.queues[tp]
	if q == nil {
		q = &queue{}
		p.queues[tp] = q
	}
	if q.open == nil {
		q.open = &batch{done: make(chan struct{})}
	}
	b := q.open
	b.msgs = append(b.msgs, msg)
	b.ctxs = append(b.ctxs, ctx)
	if !q.inflight {
		q.inflight = true
		p.wg.Add(1)
		go p.drain(tp, q)
	}
	return b, nil
}

// drain sends the partition's open batch, then the one that filled while
// that was in flight, until none is left.
func (p *Producer) drain(tp topicPartition, q *queue) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		b := q.open
		q.open = nil
		if b == nil {
			q.inflight = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		b.err = p.send(tp, b)
		close(b.done)
	}
}

func (p *Producer) send(tp topicPartition, b *batch) error {
	// Callers that already gave up were answered "not stored"; leave their
	// records out rather than store events nobody is waiting for.
	records := b.msgs[:0:0]
	for i, m := range b.msgs {
		if b.ctxs[i].Err() == nil {
			records = append(records, m)
		}
	}
	if len(records) == 0 {
		return context.Canceled
	}
	deadline := time.Now().Add(p.cfg.RetryBudget)
	// While a request was in flight the open batch may have grown past what
	// one request should carry; send it in order, chunk by chunk.
	for len(records) > 0 {
		n := p.chunk(records)
		if err := p.sendChunk(tp, records[:n], deadline); err != nil {
			return err
		}
		records = records[n:]
	}
	return nil
}

// chunk returns how many of records, at least one, fit one request.
func (p *Producer) chunk(records []Message) int {
	size := 0
	for i, m := range records {
		// 70 bytes is a record's overhead in a v2 batch, at most.
		size += len(m.Key) + len(m.Value) + 70
		for _, h := range m.Headers {
			size += len(h.Key) + len(h.Value)
		}
		if i > 0 && (i >= p.cfg.MaxBatch || size > p.cfg.MaxBatchBytes) {
			return i
		}
	}
	return len(records)
}

func (p *Producer) sendChunk(tp topicPartition, records []Message, deadline time.Time) error {
	wait := backoff.New(10*time.Millisecond, 500*time.Millisecond)
	for attempt := 1; ; attempt++ {
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := p.produceOnce(ctx, tp, records)
		cancel()
		if err == nil {
			return nil
		}
		d := wait.Next()
		if !retriable(err) || time.Now().Add(d).After(deadline) {
			return fmt.Errorf("produce %d records to %s/%d (attempt %d): %w", len(records), tp.topic, tp.partition, attempt, err)
		}
		// No context: the deadline above bounds the retries, and waiters
		// leave through their own contexts.
		_ = wait.Sleep(context.Background(), d)
	}
}

func (p *Producer) produceOnce(ctx context.Context, tp topicPartition, msgs []Message) error {
	// kafka.Bytes are readers consumed by a send, so every attempt builds its
	// records afresh.
	records := make([]kafka.Record, len(msgs))
	for i, m := range msgs {
		records[i] = kafka.Record{Time: m.Time, Key: kafka.NewBytes(m.Key), Value: kafka.NewBytes(m.Value), Headers: m.Headers}
	}
	res, err := p.cluster.Client.Produce(ctx, &kafka.ProduceRequest{
		Topic:        tp.topic,
		Partition:    tp.partition,
		RequiredAcks: kafka.RequireAll,
		Records:      kafka.NewRecordReader(records...),
		Compression:  p.cfg.Compression,
	})
	if err != nil {
		return err
	}
	if res.Error != nil {
		return res.Error
	}
	for i, e := range res.RecordErrors {
		return fmt.Errorf("record %d: %w", i, e)
	}
	return nil
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
