package ingest

import (
	"errors"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

func TestDedupRemembersStoredIDsForTheWindowOnly(t *testing.T) {
	d := newDedup(time.Minute, 100)
	t0 := time.Unix(1000, 0)
	f, lead := d.begin(1, t0)
	if !lead {
		t.Fatal("first delivery must lead")
	}
	d.finish(1, f, nil, t0)
	if _, lead := d.begin(1, t0.Add(59*time.Second)); lead {
		t.Fatal("a retry within the window was taken for a new event")
	}
	if _, lead := d.begin(1, t0.Add(61*time.Second)); !lead {
		t.Fatal("a delivery after the window must be published again")
	}
}

func TestDedupForgetsFailedPublishes(t *testing.T) {
	d := newDedup(time.Minute, 100)
	now := time.Unix(1000, 0)
	f, _ := d.begin(1, now)
	d.finish(1, f, errors.New("kafka down"), now)
	if _, lead := d.begin(1, now); !lead {
		t.Fatal("after a failed publish the retry must publish again")
	}
}

func TestDedupRetryDuringPublishSharesItsOutcome(t *testing.T) {
	d := newDedup(time.Minute, 100)
	now := time.Unix(1000, 0)
	f, _ := d.begin(1, now)
	g, lead := d.begin(1, now)
	if lead || g != f || g == nil {
		t.Fatal("a concurrent retry must wait on the first delivery")
	}
	d.finish(1, f, nil, now)
	select {
	case <-g.done:
	default:
		t.Fatal("waiter not released")
	}
	if g.err != nil {
		t.Fatal(g.err)
	}
}

func TestDedupIsBoundedByMaxIDs(t *testing.T) {
	d := newDedup(time.Hour, 3)
	now := time.Unix(1000, 0)
	for _, id := range []uint64{1, 2, 3, 4} {
		f, _ := d.begin(id, now)
		d.finish(id, f, nil, now)
	}
	if n := d.size(); n != 3 {
		t.Fatalf("remembers %d ids, want 3", n)
	}
	if _, lead := d.begin(1, now); !lead {
		t.Fatal("the oldest id should have been evicted")
	}
}

func TestDedupDisabledByZeroWindow(t *testing.T) {
	d := newDedup(0, 3)
	now := time.Unix(1000, 0)
	f, _ := d.begin(1, now)
	d.finish(1, f, nil, now)
	if _, lead := d.begin(1, now); !lead {
		t.Fatal("window 0 must disable dedup")
	}
}

// The index is hand-made (open addressing, deletion by moving entries
// back): check it against a plain map through many evictions, by age and
// by count, with keys that crowd a few slots so probe runs wrap and merge.
func TestDedupAgreesWithAMapThroughEvictions(t *testing.T) {
	const max = 50
	d := newDedup(time.Second, max)
	type entry struct {
		key uint64
		at  time.Time
	}
	var model []entry // oldest first
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Unix(1000, 0)
	for step := 0; step < 200_000; step++ {
		now = now.Add(time.Duration(rng.IntN(40)) * time.Millisecond)
		for len(model) > 0 && !model[0].at.After(now.Add(-time.Second)) {
			model = model[1:]
		}
		// Low bits from a small set, high bits varied: many share a home
		// slot, and some of those are the index's last, so probe runs
		// wrap around its end.
		key := uint64(rng.IntN(300))<<40 | uint64(rng.IntN(8))
		if rng.IntN(2) == 0 {
			key = key&^0xff | uint64(126+rng.IntN(2))
		}
		inModel := slices.ContainsFunc(model, func(e entry) bool { return e.key == key })
		f, lead := d.begin(key, now)
		if lead == inModel {
			t.Fatalf("step %d: key %x led=%v but stored=%v", step, key, lead, inModel)
		}
		if !lead {
			continue
		}
		var err error
		if rng.IntN(10) == 0 {
			err = errors.New("not stored")
		}
		d.finish(key, f, err, now)
		if err == nil {
			model = append(model, entry{key, now})
			if len(model) > max {
				model = model[1:]
			}
		}
		if n := d.size(); n != len(model) {
			t.Fatalf("step %d: remembers %d, want %d", step, n, len(model))
		}
	}
}
