package fetcher

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/schemas"
)

// commitInterval is how often finished offsets are committed. Commits are
// cheap and batched per partition; a crash replays at most this much more.
const commitInterval = 200 * time.Millisecond

// discover lists the webhook topics under the prefix and their partitions,
// institution status aside (statuspage.io events name no link and ask for
// no fetch).
func (f *Fetcher) discover(ctx context.Context) (broker.Layout, error) {
	found, err := f.cluster.TopicsWithPrefix(ctx, schemas.WebhookTopicPrefix(f.cfg.TopicPrefix))
	if err != nil {
		return nil, err
	}
	delete(found, schemas.WebhookTopic(f.cfg.TopicPrefix, schemas.InstitutionStatusType))
	return found, nil
}

// consume runs the consumer group until ctx ends, re-joining with the new
// topic list whenever discovery finds a webhook topic it did not have (one
// a newer ingest's catalogue created; types no catalogue knows arrive on
// <prefix>.webhooks.unknown and are recorded, never dropped).
func (f *Fetcher) consume(ctx context.Context) error {
	for ctx.Err() == nil {
		found, err := f.discover(ctx)
		if err != nil || len(found) == 0 {
			if err != nil {
				f.log.Warn("topic discovery", "err", err.Error())
			}
			broker.Pause(ctx, min(f.cfg.Discovery, time.Second))
			continue
		}
		if err := f.consumeTopics(ctx, found); err != nil {
			// The session ended on a Kafka error; what it finished is
			// committed and the rest is read again by the next one.
			f.log.Warn("consumer session ended", "err", err.Error())
			broker.Pause(ctx, time.Second)
		}
	}
	return nil
}

// consumeTopics reads topics in the group until ctx ends or the topic list
// changes, then stops reading, lets in-flight plans finish (or abandons
// them after ShutdownTimeout), commits and leaves the group.
func (f *Fetcher) consumeTopics(ctx context.Context, layout broker.Layout) error {
	topics := layout.Names()
	f.offsets.reset()
	f.topics.Store(&topics)
	f.log.Info("joining consumer group", "group", f.cfg.Group, "topics", len(topics))
	reader := kafka.NewReader(broker.GroupTimings(f.cluster.ReaderConfig(kafka.ReaderConfig{
		GroupID:         f.cfg.Group,
		GroupTopics:     topics,
		StartOffset:     kafka.FirstOffset,
		CommitInterval:  0, // synchronous commits: we commit only what is finished
		ReadBackoffMax:  250 * time.Millisecond,
		ReadLagInterval: -1,
		ErrorLogger:     broker.ReaderErrorLogger(f.log),
	})))
	readCtx, stopReading := context.WithCancel(ctx)
	defer stopReading()
	// Plans get their own context: stopping the reads must not cut a plan
	// short; only the shutdown timeout does.
	planCtx, stopPlans := context.WithCancel(context.WithoutCancel(ctx))
	defer stopPlans()

	pending := make(chan struct{}, f.cfg.MaxPending)
	p := newPool(f.cfg.Workers, func(ctx context.Context, j job) time.Duration { return f.handle(ctx, &j) })
	changed, stalled := make(chan struct{}), make(chan struct{})
	go broker.WatchTopics(readCtx, f.cfg.Discovery, layout, f.discover, func() { close(changed); stopReading() })
	var once sync.Once
	rejoin := func() { once.Do(func() { close(stalled); stopReading() }) }
	f.rejoin.Store(&rejoin)
	defer f.rejoin.Store(nil)
	commitDone := make(chan struct{})
	go func() {
		defer close(commitDone)
		f.commitLoop(readCtx, reader)
	}()

	var readErr error
	for {
		select {
		case pending <- struct{}{}:
		case <-readCtx.Done():
		}
		if readCtx.Err() != nil {
			break
		}
		fetched := f.watchdog.Fetching()
		m, err := reader.FetchMessage(readCtx)
		fetched()
		if err != nil {
			<-pending
			if readCtx.Err() != nil {
				break
			}
			if broker.ReaderHeals(err) {
				f.readErrs.Report(err) // no pause: see ReadErrors
				continue
			}
			readErr = fmt.Errorf("read webhook topics: %w", err)
			break
		}
		f.watchdog.Progress()
		f.offsets.read(m)
		key := string(m.Key)
		if key == "" {
			key = fmt.Sprintf("%s/%d", m.Topic, m.Partition)
		}
		p.submit(planCtx, key, job{msg: m, release: func(finished bool) {
			if finished {
				f.offsets.finish(m)
			}
			<-pending
		}})
	}
	stopReading()
	<-commitDone
	f.drain(p, stopPlans)
	f.commit(reader)
	if err := reader.Close(); err != nil {
		f.log.Warn("leave consumer group", "err", err.Error())
	}
	select {
	case <-changed:
		f.log.Info("webhook topics changed: re-joining")
		return readErr
	case <-stalled:
		f.log.Info("re-joining the group with a new reader")
		return readErr
	default:
	}
	if ctx.Err() != nil {
		return nil
	}
	return readErr
}

// drain waits for in-flight plans up to ShutdownTimeout, then cancels the
// rest, which stay uncommitted.
func (f *Fetcher) drain(p *pool, stopPlans context.CancelFunc) {
	done := make(chan struct{})
	go func() { p.wait(); close(done) }()
	t := time.NewTimer(f.cfg.ShutdownTimeout)
	defer t.Stop()
	select {
	case <-done:
		return
	case <-t.C:
	}
	f.log.Warn("in-flight plans cut short: their events stay uncommitted", "in_flight", f.offsets.inFlight())
	stopPlans()
	<-done
}

func (f *Fetcher) commitLoop(ctx context.Context, reader *kafka.Reader) {
	t := time.NewTicker(commitInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			f.commit(reader)
		}
	}
}

// commit commits every partition's contiguous finished offset.
func (f *Fetcher) commit(reader *kafka.Reader) {
	msgs := f.offsets.committable()
	if len(msgs) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := reader.CommitMessages(ctx, msgs...); err != nil {
		f.metrics.commitFailures.Inc()
		if !errors.Is(err, context.Canceled) {
			f.log.Warn("commit offsets", "err", err.Error())
		}
		f.offsets.restore(msgs)
		return
	}
	f.watchdog.Progress()
}

// offsets tracks, per partition, the events read and finished, and yields
// the offsets that may be committed: the highest offset below which every
// event is finished. Events of one partition finish out of order (their
// links run concurrently); committing past an unfinished one would lose it
// in a crash.
type offsets struct {
	mu    sync.Mutex
	parts map[partition]*partOffsets
}

type partition struct {
	topic string
	id    int
}

type partOffsets struct {
	pending []int64 // read and not yet contiguous with the committed point, in read order
	done    map[int64]bool
	commit  int64 // last offset that may be committed, -1 when none is new
}

func newOffsets() *offsets { return &offsets{parts: map[partition]*partOffsets{}} }

// reset forgets everything: a new group session reads again from the
// committed offsets, so events abandoned by the last one must not block it.
func (o *offsets) reset() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.parts = map[partition]*partOffsets{}
}

// read records that m was handed out.
func (o *offsets) read(m kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.parts[partition{m.Topic, m.Partition}]
	if p == nil {
		p = &partOffsets{done: map[int64]bool{}, commit: -1}
		o.parts[partition{m.Topic, m.Partition}] = p
	}
	p.pending = append(p.pending, m.Offset)
}

// finish records that m's plan is complete.
func (o *offsets) finish(m kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	p := o.parts[partition{m.Topic, m.Partition}]
	if p == nil {
		return
	}
	p.done[m.Offset] = true
	n := 0
	for n < len(p.pending) && p.done[p.pending[n]] {
		delete(p.done, p.pending[n])
		p.commit = p.pending[n]
		n++
	}
	p.pending = p.pending[n:]
}

// committable returns one message per partition whose offset is the last
// that may be committed, and forgets them (kafka-go commits Offset+1).
func (o *offsets) committable() []kafka.Message {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []kafka.Message
	for tp, p := range o.parts {
		if p.commit >= 0 {
			out = append(out, kafka.Message{Topic: tp.topic, Partition: tp.id, Offset: p.commit})
			p.commit = -1
		}
	}
	return out
}

// restore puts back commits that failed, unless newer ones arrived.
func (o *offsets) restore(msgs []kafka.Message) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, m := range msgs {
		if p := o.parts[partition{m.Topic, m.Partition}]; p != nil && p.commit < m.Offset {
			p.commit = m.Offset
		}
	}
}

// inFlight is the number of events read and not finished.
func (o *offsets) inFlight() int {
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, p := range o.parts {
		n += len(p.pending) - len(p.done)
	}
	return n
}
