package ingest

import (
	"sync"
	"time"
)

// dedup remembers the events this replica stored within a window, so Belvo's
// retries of an event it already has are answered 202 without a second
// publish. A retry arriving while the first attempt is still being
// published waits for that attempt's outcome instead of racing it.
//
// It is per replica and bounded: a retry that lands on another replica, or
// after the window, is published again. Downstream stages are idempotent on
// webhook_id for that reason (the sink's tables deduplicate by it).
//
// Events are remembered by a 64-bit hash, not by their id text: at the
// default million entries that is about 40 MB instead of a quarter GB, and
// a false match needs a hash collision among a million (odds ~2^-45).
type dedup struct {
	window time.Duration
	max    int

	mu       sync.Mutex
	inflight map[uint64]*flight
	stored   map[uint64]int64 // unix nanos when stored
	order    []uint64         // stored keys, oldest first, from head
	head     int
}

type flight struct {
	done chan struct{}
	err  error
}

func newDedup(window time.Duration, max int) *dedup {
	return &dedup{window: window, max: max, inflight: make(map[uint64]*flight), stored: make(map[uint64]int64)}
}

// begin returns the flight of key and whether the caller leads it (and must
// publish, then call finish). A caller that does not lead waits on f.done
// and shares f.err; f is nil when the event was stored already.
func (d *dedup) begin(key uint64, now time.Time) (f *flight, lead bool) {
	if d.window <= 0 {
		return &flight{done: make(chan struct{})}, true
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.expire(now)
	if _, ok := d.stored[key]; ok {
		return nil, false
	}
	if f := d.inflight[key]; f != nil {
		return f, false
	}
	f = &flight{done: make(chan struct{})}
	d.inflight[key] = f
	return f, true
}

// finish records the outcome of a led flight. A failed publish is forgotten
// at once, so Belvo's next retry publishes again.
func (d *dedup) finish(key uint64, f *flight, err error, now time.Time) {
	f.err = err
	if d.window > 0 {
		d.mu.Lock()
		delete(d.inflight, key)
		if err == nil {
			d.stored[key] = now.UnixNano()
			d.order = append(d.order, key)
			for len(d.order)-d.head > d.max {
				d.evictOldest()
			}
		}
		d.mu.Unlock()
	}
	close(f.done)
}

func (d *dedup) expire(now time.Time) {
	cutoff := now.Add(-d.window).UnixNano()
	for d.head < len(d.order) {
		if at, ok := d.stored[d.order[d.head]]; ok && at > cutoff {
			break
		}
		d.evictOldest()
	}
	// Reuse the slice once its dead prefix dominates.
	if d.head > 1024 && d.head > len(d.order)/2 {
		d.order = append(d.order[:0], d.order[d.head:]...)
		d.head = 0
	}
}

func (d *dedup) evictOldest() {
	delete(d.stored, d.order[d.head])
	d.head++
}

func (d *dedup) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.stored)
}
