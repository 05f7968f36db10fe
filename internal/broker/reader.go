package broker

import (
	"context"
	"errors"
	"io"
	"time"

	"github.com/segmentio/kafka-go"
)

// ReaderHeals reports whether an error from a consumer-group kafka.Reader's
// FetchMessage leaves the reader usable. kafka-go hands its group loop's
// failures (a join or sync that failed MaxAttempts times, e.g. on
// NOT_LEADER_FOR_PARTITION while a new topic's leaders are elected) to the
// next FetchMessage and then tries again by itself; only a closed reader
// (io.EOF) is final. Treating the former as fatal stopped a whole pipeline
// on a broker's routine leader move.
func ReaderHeals(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// Pause waits d or until ctx ends, so a retry loop neither spins nor
// outlives its context.
func Pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// GroupTimings returns c with the consumer-group timings every stage uses:
// a member that died is noticed, and its partitions handed on, within
// seconds rather than after kafka-go's default half minute, and a failed
// join is tried again after a second rather than five.
//
// MaxWait is how long an idle partition's fetch waits at the broker; data
// that arrives ends the wait at once, so it costs no latency. It bounds how
// long a generation takes to end (each partition reader finishes its fetch
// first), which is why it is not kafka-go's ten seconds; it was 250 ms, and
// then the fetcher's ~135 idle partitions cost 19% of a core between the
// two processes (5.8% fetcher, 13% broker), 9% at one second. A fetch
// also ends in an i/o timeout, and a new connection, when the broker
// answers more than a quarter of MaxWait late, which a busy two-core host
// did at 250 ms.
func GroupTimings(c kafka.ReaderConfig) kafka.ReaderConfig {
	c.HeartbeatInterval = time.Second
	c.SessionTimeout = 10 * time.Second
	c.RebalanceTimeout = 10 * time.Second
	c.JoinGroupBackoff = time.Second
	c.MaxWait = time.Second
	return c
}
