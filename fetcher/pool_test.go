package fetcher

import (
	"context"
	"sync"
	"testing"
	"time"
)

// Jobs of one key run in order, one at a time, even when one asks to run
// again; a key that is blocked does not stop the other keys.
func TestPoolKeepsKeyOrderAndDoesNotLetASlowKeyBlockOthers(t *testing.T) {
	var mu sync.Mutex
	var order []int
	block := make(chan struct{})
	retried := false
	fastDone := make(chan struct{}, 10)
	p := newPool(2, func(ctx context.Context, j job) time.Duration {
		n := int(j.msg.Offset)
		switch {
		case n == 0: // the slow link's first event
			<-block
		case n == 1 && !retried:
			retried = true
			return time.Millisecond
		}
		mu.Lock()
		order = append(order, n)
		mu.Unlock()
		if n >= 100 {
			fastDone <- struct{}{}
		}
		j.release(true)
		return 0
	})
	ctx := context.Background()
	noop := func(bool) {}
	p.submit(ctx, "slow", job{msg: msgAt(0), release: noop})
	p.submit(ctx, "slow", job{msg: msgAt(1), release: noop})
	p.submit(ctx, "slow", job{msg: msgAt(2), release: noop})
	for i := 100; i < 105; i++ {
		p.submit(ctx, "fast", job{msg: msgAt(int64(i)), release: noop})
	}
	deadline := time.After(10 * time.Second)
	for range 5 {
		select {
		case <-fastDone:
		case <-deadline:
			t.Fatal("the fast key waited for the blocked one")
		}
	}
	close(block)
	p.wait()
	var slow []int
	for _, n := range order {
		if n < 100 {
			slow = append(slow, n)
		}
	}
	if len(slow) != 3 || slow[0] != 0 || slow[1] != 1 || slow[2] != 2 {
		t.Fatalf("slow key ran %v, want [0 1 2]", slow)
	}
}

// When the context ends, queued jobs are abandoned, not run or finished.
func TestPoolAbandonsQueuedJobsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	p := newPool(1, func(ctx context.Context, j job) time.Duration {
		close(started)
		<-ctx.Done()
		j.release(false)
		return 0
	})
	var mu sync.Mutex
	finished, abandoned := 0, 0
	rel := func(ok bool) {
		mu.Lock()
		defer mu.Unlock()
		if ok {
			finished++
		} else {
			abandoned++
		}
	}
	p.submit(ctx, "a", job{msg: msgAt(0), release: rel})
	p.submit(ctx, "a", job{msg: msgAt(1), release: rel})
	<-started
	cancel()
	p.wait()
	if finished != 0 || abandoned != 2 {
		t.Fatalf("finished %d abandoned %d, want 0 and 2", finished, abandoned)
	}
}
