package fetcher

import (
	"sync"

	"github.com/segmentio/kafka-go"
)

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
