package fetcher

import (
	"context"
	"sync"
	"time"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// pool runs jobs with at most n at once, one key (a link) at a time and in
// submission order per key. A key waiting on a slow call occupies one slot;
// every other key keeps the remaining ones. Slots are taken per job, not
// per key, so a link with a long queue cannot starve links behind it.
type pool struct {
	slots chan struct{}
	// run runs one job; a positive answer asks for the job to run again
	// after that long, without holding a slot meanwhile.
	run func(ctx context.Context, j job) time.Duration

	mu     sync.Mutex
	queues map[string][]job
	wg     sync.WaitGroup
}

func newPool(n int, run func(context.Context, job) time.Duration) *pool {
	return &pool{slots: make(chan struct{}, n), run: run, queues: map[string][]job{}}
}

// submit queues j behind the earlier jobs of key.
func (p *pool) submit(ctx context.Context, key string, j job) {
	p.mu.Lock()
	q, active := p.queues[key]
	p.queues[key] = append(q, j)
	p.mu.Unlock()
	if !active {
		p.wg.Add(1)
		go p.drain(ctx, key)
	}
}

// drain runs key's jobs until its queue is empty. When ctx ends, jobs not
// started are dropped: their events stay uncommitted and are read again.
func (p *pool) drain(ctx context.Context, key string) {
	defer p.wg.Done()
	for {
		p.mu.Lock()
		q := p.queues[key]
		if len(q) == 0 || ctx.Err() != nil {
			for _, j := range q {
				j.abandon()
			}
			delete(p.queues, key)
			p.mu.Unlock()
			return
		}
		j := q[0]
		p.queues[key] = q[1:]
		p.mu.Unlock()
		p.runJob(ctx, j)
	}
}

// runJob runs j until it finishes, is abandoned, or ctx ends. The key's
// later jobs wait behind it: per-link order holds through retries.
func (p *pool) runJob(ctx context.Context, j job) {
	for {
		select {
		case p.slots <- struct{}{}:
		case <-ctx.Done():
			j.abandon()
			return
		}
		again := p.run(ctx, j)
		<-p.slots
		if again <= 0 {
			return
		}
		if backoff.Sleep(ctx, again) != nil {
			j.abandon()
			return
		}
	}
}

// wait returns when every queue has drained.
func (p *pool) wait() { p.wg.Wait() }
