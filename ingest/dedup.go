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
// Memory is bounded by max, not by the window: at most max events are
// remembered, so the whole window is served only while events arrive at
// max/window per second or slower; faster, a retry is recognised while its
// event is among the last max stored. Events are remembered by a 64-bit
// hash (a false match needs a collision among max hashes, odds ~2^-45 at a
// million), in a ring of (hash, time) in storing order, oldest first, and
// an open-addressing index of ring positions: 24 bytes an event, no per-entry
// allocation, nothing for the collector to scan. A Go map of the same would
// take about twice that, and twice again while it grows.
type dedup struct {
	window time.Duration
	max    int

	mu       sync.Mutex
	inflight map[uint64]*flight
	ring     []stored // grows to max, then wraps
	head, n  int      // oldest stored event, number stored
	// index holds ring position+1 of every stored event (0 = free) at the
	// slot its hash picks, or the next free one after it (linear probing);
	// it is kept at most half full.
	index []uint32
}

type stored struct {
	key uint64
	at  int64 // unix nanos when stored
}

type flight struct {
	done chan struct{}
	err  error
}

func newDedup(window time.Duration, max int) *dedup {
	return &dedup{window: window, max: max, inflight: make(map[uint64]*flight)}
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
	if d.find(key) >= 0 {
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
			d.store(key, now.UnixNano())
		}
		d.mu.Unlock()
	}
	close(f.done)
}

func (d *dedup) expire(now time.Time) {
	cutoff := now.Add(-d.window).UnixNano()
	for d.n > 0 && d.ring[d.head].at <= cutoff {
		d.evictOldest()
	}
}

// store remembers key, which must not be stored already: finish is its
// only caller, for the flight begin found no stored event for, and a key
// has at most one flight.
func (d *dedup) store(key uint64, at int64) {
	if d.n == d.max {
		d.evictOldest()
	}
	if 2*(d.n+1) > len(d.index) {
		d.grow()
	}
	pos := (d.head + d.n) % d.max
	// Until the ring first wraps, every new position is its next element.
	if pos == len(d.ring) {
		if len(d.ring) == cap(d.ring) {
			// Doubling, but never past max: append would overshoot it.
			grown := make([]stored, len(d.ring), len(d.ring)+min(max(len(d.ring), 64), d.max-len(d.ring)))
			d.ring = grown[:copy(grown, d.ring)]
		}
		d.ring = append(d.ring, stored{key, at})
	} else {
		d.ring[pos] = stored{key, at}
	}
	d.n++
	d.place(uint32(pos) + 1)
}

// find returns the index slot of key, or -1.
func (d *dedup) find(key uint64) int {
	if len(d.index) == 0 {
		return -1
	}
	mask := len(d.index) - 1
	for i := int(key) & mask; ; i = (i + 1) & mask {
		p := d.index[i]
		if p == 0 {
			return -1
		}
		if d.ring[p-1].key == key {
			return i
		}
	}
}

func (d *dedup) place(p uint32) {
	mask := len(d.index) - 1
	i := int(d.ring[p-1].key) & mask
	for d.index[i] != 0 {
		i = (i + 1) & mask
	}
	d.index[i] = p
}

// grow doubles the index (its hashes are uniform already, so a slot is the
// hash's low bits) and places every stored event again.
func (d *dedup) grow() {
	size := 2 * len(d.index)
	if size == 0 {
		size = 64
	}
	d.index = make([]uint32, size)
	for k := 0; k < d.n; k++ {
		d.place(uint32((d.head+k)%d.max) + 1)
	}
}

func (d *dedup) evictOldest() {
	d.unindex(d.find(d.ring[d.head].key))
	d.head = (d.head + 1) % d.max
	d.n--
}

// unindex frees slot i and moves later entries of its probe run back into
// the gap, so that find never stops at a hole before reaching them.
func (d *dedup) unindex(i int) {
	mask := len(d.index) - 1
	for j := i; ; {
		d.index[i] = 0
		for {
			j = (j + 1) & mask
			p := d.index[j]
			if p == 0 {
				return
			}
			// The entry at j may fill i unless its home slot lies
			// cyclically in (i, j].
			home := int(d.ring[p-1].key) & mask
			if (i < j && (home <= i || home > j)) || (i > j && home <= i && home > j) {
				d.index[i] = p
				i = j
				break
			}
		}
	}
}

func (d *dedup) size() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}
