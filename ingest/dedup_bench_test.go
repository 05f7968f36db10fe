package ingest

import (
	"math/rand/v2"
	"testing"
	"time"
)

// BenchmarkDedup is the cost of one new event at the default bound, in
// the steady state where every store evicts the oldest: begin finds no
// match, finish stores and evicts. Each look-up is a cache miss at this
// size, as in production.
func BenchmarkDedup(b *testing.B) {
	const max = 1_000_000
	d := newDedup(time.Hour, max)
	rng := rand.New(rand.NewPCG(1, 2))
	now := time.Unix(1000, 0)
	for range max {
		key := rng.Uint64()
		f, _ := d.begin(key, now)
		d.finish(key, f, nil, now)
	}
	b.ResetTimer()
	for b.Loop() {
		key := rng.Uint64()
		f, lead := d.begin(key, now)
		if !lead {
			b.Fatal("a new key was found")
		}
		d.finish(key, f, nil, now)
	}
}
