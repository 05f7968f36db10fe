package broker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/segmentio/kafka-go"

	"github.com/finflow/belvo-pipeline/internal/backoff"
)

// ReaderHeals reports whether an error from a consumer-group kafka.Reader's
// FetchMessage leaves the reader usable. kafka-go hands its group loop's
// failures (a join or sync that failed MaxAttempts times) and its partition
// readers' failures (NOT_LEADER_FOR_PARTITION while a new topic's leaders
// are elected) to the next FetchMessage and then tries again by itself,
// having backed off already; only a closed reader (io.EOF) is final.
// Treating the former as fatal stopped a whole pipeline on a broker's
// routine leader move.
func ReaderHeals(err error) bool {
	return err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// ReadErrors reports the errors a consumer's FetchMessage returns and the
// reader heals from. The consumer must go straight back to FetchMessage:
// kafka-go queues each partition reader's error in the same channel as the
// messages (QueueCapacity deep), so a consumer that paused a second per
// error (as ours did) spent minutes draining the hundreds of
// NOT_LEADER_FOR_PARTITION errors a group of some 270 new partitions
// produces in its first seconds, with the messages queued behind them.
// Logging every one would flood the log instead: the first of a burst is
// logged, then a count every interval.
type ReadErrors struct {
	Log   *slog.Logger
	Group string
	Count func() // a metric's Inc, may be nil

	mu      sync.Mutex
	logged  time.Time
	pending int
}

// readErrorsEvery is how often a burst of healed reader errors is summed up
// in the log.
const readErrorsEvery = 10 * time.Second

// Report records one healed error.
func (r *ReadErrors) Report(err error) {
	if r.Count != nil {
		r.Count()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending++
	if time.Since(r.logged) < readErrorsEvery {
		return
	}
	r.Log.Warn("kafka reader error; the reader retries by itself", "group", r.Group, "errors", r.pending, "err", err.Error())
	r.logged, r.pending = time.Now(), 0
}

// ReaderErrorLogger is a kafka.Reader's ErrorLogger. A partition reader
// that cannot start (no leader yet, a leader that moved) retries by itself
// and its errors reach FetchMessage, where ReadErrors counts them: logged
// at Warn, the first seconds of a group on new topics wrote thousands of
// lines. They stay at Debug; everything else is a warning.
func ReaderErrorLogger(log *slog.Logger) kafka.Logger {
	return kafka.LoggerFunc(func(msg string, args ...any) {
		level := slog.LevelWarn
		if strings.HasPrefix(msg, "error initializing the kafka reader") || strings.HasPrefix(msg, "failed to read from current broker") {
			level = slog.LevelDebug
		}
		if log.Enabled(context.Background(), level) {
			log.Log(context.Background(), level, "kafka reader: "+fmt.Sprintf(msg, args...))
		}
	})
}

// Pause waits d or until ctx ends (backoff.Sleep, for loops that look at
// their context themselves).
func Pause(ctx context.Context, d time.Duration) { _ = backoff.Sleep(ctx, d) }

// GroupTimings returns c with the consumer-group timings every stage uses:
// a member that died is noticed, and its partitions handed on, within
// seconds rather than after kafka-go's default half minute, and a failed
// join is tried again after a second rather than five.
//
// MaxWait is how long an idle partition's fetch waits at the broker; data
// that arrives ends the wait at once, so it costs no latency. It bounds how
// long a generation takes to end (each partition reader finishes its fetch
// first), which is why it is not kafka-go's ten seconds; it was 250 ms, and
// then the fetcher's idle partitions cost a large share of a core between
// the two processes (most of it in the broker), about half that at one second. A fetch
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
