package fetcher

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/belvo"
)

// share divides the deployment's Belvo budget (BELVO_RATE_LIMIT requests
// per BELVO_RATE_INTERVAL, e.g. Belvo's 80 per 30 s per source IP) among
// the live members of the fetcher's consumer group: N members take 1/N
// each, so no replica count can exceed it.
//
// Members cannot see each other's recent requests, so a larger share is
// taken only one interval after it was first seen (by then every request
// of the old division has left Belvo's window), while a smaller one is
// taken at once. A member's first share counts as larger than nothing: a
// new replica waits one interval before its first request, since it cannot
// know what a replica it replaces sent just before. Together: any window
// holds at most the budget, across scale-ups, scale-downs and rollouts.
type share struct {
	budget   int
	interval time.Duration
	limiter  *belvo.Limiter
	log      *slog.Logger
	// firstAtOnce takes the first share without the wait: only where no
	// earlier client can have used the budget (FETCHER_FIRST_SHARE_WAIT).
	firstAtOnce bool

	pending   int       // a larger share waiting for its time, 0 if none
	pendingAt time.Time // when it may be taken
}

// newShare returns a share of budget per interval whose limiter admits
// nothing yet. The limiter's window is a little longer than Belvo's: Belvo
// counts requests when they arrive, and a request admitted at the end of a
// window can arrive after one admitted later, so that two windows' worth
// would meet in one of Belvo's. The margin covers that jitter (a CPU-starved
// host under the race detector needed more than 250 ms, then more than
// 500 ms); against Belvo's 30 s it is interval/20, 1.5 s.
func newShare(budget int, interval time.Duration, firstWait bool, log *slog.Logger) *share {
	window := interval + max(interval/20, shareMargin)
	return &share{budget: budget, interval: window, log: log, limiter: belvo.NewLimiter(0, window, nil), firstAtOnce: !firstWait}
}

// shareMargin is the least margin of a share's window over Belvo's.
const shareMargin = time.Second

// observe applies the division for members live members seen at now.
func (s *share) observe(members int, now time.Time) {
	want := max(s.budget/max(members, 1), 1)
	cur := s.limiter.Limit()
	switch {
	case want < cur:
		s.limiter.SetLimit(want)
		s.pending = 0
		s.log.Info("Belvo budget share lowered", "requests", want, "per", s.interval.String(), "members", members, "budget", s.budget)
	case want == cur:
		s.pending = 0
	case cur == 0 && s.firstAtOnce:
		s.limiter.SetLimit(want)
		s.pending = 0
		s.log.Info("Belvo budget share taken", "requests", want, "per", s.interval.String(), "members", members, "budget", s.budget)
	case s.pending != want:
		// Lowering a pending raise restarts its wait: the old division may
		// have been in force until now.
		s.pending, s.pendingAt = want, now.Add(s.interval)
	case !now.Before(s.pendingAt):
		s.limiter.SetLimit(want)
		s.pending = 0
		s.log.Info("Belvo budget share raised", "requests", want, "per", s.interval.String(), "members", members, "budget", s.budget)
	}
}

// shareBudget keeps the limiter at this member's share until ctx ends,
// looking at the group's membership every poll. A rebalance is seen within
// one poll, far within the interval a raise waits.
func (f *Fetcher) shareBudget(ctx context.Context, s *share, poll time.Duration) {
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		n, err := f.members(ctx)
		if err != nil {
			f.log.Debug("group membership not read; the Belvo budget share stays", "err", err.Error())
		} else {
			s.observe(n, time.Now())
			f.metrics.members.Set(float64(n))
			f.metrics.share.Set(float64(s.limiter.Limit()))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// members counts the live members of the fetcher's consumer group.
func (f *Fetcher) members(ctx context.Context) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	res, err := f.cluster.Client.DescribeGroups(ctx, &kafka.DescribeGroupsRequest{GroupIDs: []string{f.cfg.Group}})
	if err != nil {
		return 0, err
	}
	if len(res.Groups) != 1 {
		return 0, fmt.Errorf("describe group %s: %d groups in the answer", f.cfg.Group, len(res.Groups))
	}
	if g := res.Groups[0]; g.Error != nil {
		return 0, fmt.Errorf("describe group %s: %w", f.cfg.Group, g.Error)
	}
	return len(res.Groups[0].Members), nil
}
