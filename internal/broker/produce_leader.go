package broker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/protocol"
	"github.com/segmentio/kafka-go/protocol/produce"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// noLeader stands for the broker of a partition that has no leader now:
// its requests fail as having none, and are retried within the budget
// once metadata shows one.
const noLeader = -1

// maxRequestBytes bounds one produce request across all its partitions,
// well under the broker's socket.request.max.bytes (100 MiB by default);
// each partition's record batch is bounded by MaxBatchBytes already.
const maxRequestBytes = 16 << 20

var retryPolicy = backoff.Policy{First: 10 * time.Millisecond, Max: 500 * time.Millisecond}

// leaderQueue holds the partitions, led by one broker, that have records to
// send and are in no request. One goroutine sends them while there are any,
// one request at a time: what arrives during a round trip, for any of the
// broker's partitions, goes in the next request, so the broker sees few
// large requests rather than one per partition.
type leaderQueue struct {
	id      int
	ready   []*queue
	sending bool
}

// list puts q in its leader's queue when it has records and no request
// carries it or waits to. Call with p.mu held.
func (p *Producer) list(q *queue) {
	if q.listed || q.busy || (q.cur == nil && q.open == nil) {
		return
	}
	id, ok := p.leaders[q.tp]
	if !ok {
		id = noLeader
	}
	lq := p.brokers[id]
	if lq == nil {
		lq = &leaderQueue{id: id}
		p.brokers[id] = lq
	}
	lq.ready = append(lq.ready, q)
	q.listed = true
	if !lq.sending {
		lq.sending = true
		p.wg.Add(1)
		go p.send(lq)
	}
}

// send sends lq's partitions until none is left.
func (p *Producer) send(lq *leaderQueue) {
	defer p.wg.Done()
	var parts []*queue
	for {
		p.mu.Lock()
		parts = p.collect(lq, parts[:0])
		if len(parts) == 0 {
			lq.sending = false
			p.mu.Unlock()
			return
		}
		p.mu.Unlock()
		// Outside the lock: while busy, a queue's current records are
		// touched by this goroutine only.
		res, err := p.roundTrip(parts)
		p.mu.Lock()
		p.settle(parts, res, err)
		p.mu.Unlock()
	}
}

// collect takes the next chunk of each of lq's queues, in the order they
// were listed, into one request's worth. Call with p.mu held.
func (p *Producer) collect(lq *leaderQueue, parts []*queue) []*queue {
	now := time.Now()
	size, used := 0, 0
	for _, q := range lq.ready {
		if !p.take(q) {
			q.listed = false
			used++
			continue
		}
		n, s := p.chunkSize(q.rest)
		if len(parts) > 0 && size+s > maxRequestBytes {
			break
		}
		size += s
		used++
		q.listed, q.busy, q.sent = false, true, n
		if q.deadline.IsZero() {
			q.deadline = now.Add(p.cfg.RetryBudget)
		}
		parts = append(parts, q)
	}
	rest := copy(lq.ready, lq.ready[used:])
	clear(lq.ready[rest:])
	lq.ready = lq.ready[:rest]
	return parts
}

// roundTrip sends the chunks of parts in one produce request. The transport
// routes it by its own view of the leaders; when that differs from ours the
// request fails as a whole and is retried once leaders were looked up again.
func (p *Producer) roundTrip(parts []*queue) (*produce.Response, error) {
	deadline := parts[0].deadline
	n := 0
	for _, q := range parts {
		deadline = minTime(deadline, q.deadline)
		n += q.sent
	}
	attrs := protocol.Attributes(p.cfg.Compression) & 0x7
	// Every attempt builds its records afresh: keys and values are readers a
	// send consumes. One array each holds the request's records, their keys
	// and values, and the partitions' readers, rather than an allocation per
	// record.
	records := make([]kafka.Record, n)
	payloads := make([]payload, 2*n)
	readers := make([]recordSlice, len(parts))
	topics := make([]produce.RequestTopic, 0, 1)
	next := 0
	for j, q := range parts {
		start := next
		for _, m := range q.rest[:q.sent] {
			r := &records[next]
			r.Time, r.Headers = m.Time, m.Headers
			if m.Key != nil {
				payloads[2*next].Reset(m.Key)
				r.Key = &payloads[2*next]
			}
			if m.Value != nil {
				payloads[2*next+1].Reset(m.Value)
				r.Value = &payloads[2*next+1]
			}
			next++
		}
		readers[j].records = records[start:next]
		part := produce.RequestPartition{
			Partition: int32(q.tp.partition),
			RecordSet: protocol.RecordSet{Attributes: attrs, Records: &readers[j]},
		}
		i := 0
		for i < len(topics) && topics[i].Topic != q.tp.topic {
			i++
		}
		if i == len(topics) {
			topics = append(topics, produce.RequestTopic{Topic: q.tp.topic})
		}
		topics[i].Partitions = append(topics[i].Partitions, part)
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	rt := p.cluster.Client.Transport
	if rt == nil {
		rt = kafka.DefaultTransport
	}
	m, err := rt.RoundTrip(ctx, p.cluster.Addr, &produce.Request{
		Acks:    int16(kafka.RequireAll),
		Timeout: int32(max(time.Until(deadline).Milliseconds(), 1)),
		Topics:  topics,
	})
	if err != nil {
		return nil, err
	}
	res, ok := m.(*produce.Response)
	if !ok {
		return nil, fmt.Errorf("produce request answered with %T", m)
	}
	return res, nil
}

// payload is a record's key or value, as the record encoder reads it.
type payload struct{ bytes.Reader }

func (*payload) Close() error { return nil }

// recordSlice hands a partition's records to the request encoder.
type recordSlice struct {
	records []kafka.Record
	next    int
}

func (r *recordSlice) ReadRecord() (*kafka.Record, error) {
	if r.next == len(r.records) {
		return nil, io.EOF
	}
	r.next++
	return &r.records[r.next-1], nil
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

// settle hands each partition its part of the answer: the next chunk, the
// end of its batch, a retry after a pause, or the failure of its batch.
// Call with p.mu held.
func (p *Producer) settle(parts []*queue, res *produce.Response, err error) {
	now := time.Now()
	for _, q := range parts {
		q.busy = false
		perr := err
		if perr == nil {
			perr = partitionError(res, q.tp)
		}
		if perr == nil {
			q.rest, q.sent, q.attempt, q.deadline = q.rest[q.sent:], 0, 0, time.Time{}
			if len(q.rest) == 0 {
				q.finish(nil)
			}
			p.list(q)
			continue
		}
		q.attempt++
		d := retryPolicy.Delay(q.attempt)
		if !retriable(perr) || now.Add(d).After(q.deadline) {
			q.finish(fmt.Errorf("produce %d records to %s/%d (attempt %d): %w", q.sent, q.tp.topic, q.tp.partition, q.attempt, perr))
			p.list(q)
			continue
		}
		q.busy = true
		p.wg.Add(1)
		time.AfterFunc(d, func() { p.retry(q) })
	}
}

// retry lists q again after a failed attempt, under the leader that
// metadata shows now: a moved leader answers NotLeaderForPartition, and the
// transport's own view, which routes the request, follows within its
// metadata TTL.
func (p *Producer) retry(q *queue) {
	defer p.wg.Done()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	// On failure the old leader stays: the next attempt fails or succeeds
	// on its own, within the budget.
	_ = p.refreshLeaders(ctx, q.tp)
	cancel()
	p.mu.Lock()
	defer p.mu.Unlock()
	q.busy = false
	p.list(q)
}

// partitionError is the broker's answer for tp in res.
func partitionError(res *produce.Response, tp topicPartition) error {
	for _, t := range res.Topics {
		if t.Topic != tp.topic {
			continue
		}
		for _, part := range t.Partitions {
			if int(part.Partition) != tp.partition {
				continue
			}
			if part.ErrorCode == 0 {
				return nil
			}
			err := error(kafka.Error(part.ErrorCode))
			if part.ErrorMessage != "" {
				err = fmt.Errorf("%w: %s", err, part.ErrorMessage)
			}
			for _, re := range part.RecordErrors {
				err = fmt.Errorf("%w; record %d: %s", err, re.BatchIndex, re.BatchIndexErrorMessage)
			}
			return err
		}
	}
	return fmt.Errorf("no answer for %s/%d in the produce response", tp.topic, tp.partition)
}

// refreshLeaders records the leaders of tp's topic as the transport's
// metadata shows them; tp itself is recorded even when metadata lacks it,
// as having no leader.
func (p *Producer) refreshLeaders(ctx context.Context, tp topicPartition) error {
	md, err := p.cluster.Client.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{tp.topic}})
	if err != nil {
		return fmt.Errorf("leaders of %s: %w", tp.topic, err)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.leaders[tp] = noLeader
	for _, t := range md.Topics {
		if t.Name != tp.topic || t.Error != nil {
			continue
		}
		for _, part := range t.Partitions {
			id := noLeader
			if part.Error == nil && part.Leader.Host != "" {
				id = part.Leader.ID
			}
			p.leaders[topicPartition{t.Name, part.ID}] = id
		}
	}
	return nil
}
