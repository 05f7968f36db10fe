package broker

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

// ProduceAll is the fetcher's path for a page of records: every record must
// be stored once, each key's records in the order given, and the call must
// return only after all of them were acknowledged.
func TestProduceAllStoresEveryRecordOnceInKeyOrder(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{MaxBatch: 50})
	const keys, perKey = 17, 40
	var msgs []Message
	for i := 0; i < perKey; i++ {
		for k := 0; k < keys; k++ {
			msgs = append(msgs, Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", k), Value: fmt.Appendf(nil, "%d", i)})
		}
	}
	ctx := context.Background()
	// Two calls, the second while the first may still be in flight, so
	// batches are shared between callers as under load.
	errc := make(chan error, 2)
	go func() { errc <- p.ProduceAll(ctx, msgs[:len(msgs)/2]) }()
	go func() { errc <- p.ProduceAll(ctx, msgs[len(msgs)/2:]) }()
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
	p.Close()
	got := readAll(t, fake.ListenAddrs(), "t", keys*perKey)
	seen := map[string]map[string]bool{}
	for _, m := range got {
		k := string(m.Key)
		if seen[k] == nil {
			seen[k] = map[string]bool{}
		}
		if seen[k][string(m.Value)] {
			t.Fatalf("key %s value %s stored twice", k, m.Value)
		}
		seen[k][string(m.Value)] = true
	}
	if len(seen) != keys {
		t.Fatalf("%d keys stored, want %d", len(seen), keys)
	}
}

// Within one call the order per key is the order of the slice.
func TestProduceAllKeepsOrderWithinACall(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{MaxBatch: 7})
	var msgs []Message
	for i := 0; i < 100; i++ {
		msgs = append(msgs, Message{Topic: "t", Key: fmt.Appendf(nil, "k%d", i%5), Value: fmt.Appendf(nil, "%d", i/5)})
	}
	if err := p.ProduceAll(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	p.Close()
	next := map[string]int{}
	for _, m := range readAll(t, fake.ListenAddrs(), "t", len(msgs)) {
		if got, want := string(m.Value), fmt.Sprint(next[string(m.Key)]); got != want {
			t.Fatalf("key %s: got value %s, want %s", m.Key, got, want)
		}
		next[string(m.Key)]++
	}
}

func TestProduceAllFailsWhenClosedOrBrokerGone(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{RetryBudget: 300 * time.Millisecond})
	ctx := context.Background()
	msgs := []Message{{Topic: "t", Key: []byte("a"), Value: []byte("1")}, {Topic: "t", Key: []byte("b"), Value: []byte("2")}}
	if err := p.ProduceAll(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	fake.Close()
	// The caller's deadline is far beyond the budget: a failure must come
	// from the producer giving up by its budget, not from the caller.
	waitCtx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := p.ProduceAll(waitCtx, msgs); err == nil {
		t.Fatal("ProduceAll succeeded with the broker gone")
	}
	if waitCtx.Err() != nil {
		t.Fatal("the producer did not give up within its retry budget: the caller's deadline ended the wait")
	}
	p.Close()
	if err := p.ProduceAll(ctx, msgs); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// A page of large records (1000 of 6 kB, as Belvo transactions are) is
// split into requests the broker accepts, not refused as too large.
func TestProduceAllSplitsLargeBatchesByBytes(t *testing.T) {
	fake, cluster := newFake(t)
	p := NewProducer(cluster, ProducerConfig{MaxBatchBytes: 64 << 10})
	value := make([]byte, 6<<10)
	var msgs []Message
	for i := 0; i < 100; i++ {
		msgs = append(msgs, Message{Topic: "t", Key: []byte("same-partition"), Value: value})
	}
	if n := p.chunk(msgs); n < 5 || n > 11 {
		t.Fatalf("chunk of 6 kB records under 64 kB: %d records", n)
	}
	if err := p.ProduceAll(context.Background(), msgs); err != nil {
		t.Fatal(err)
	}
	p.Close()
	readAll(t, fake.ListenAddrs(), "t", len(msgs))
}
