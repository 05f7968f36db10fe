package sink

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// freshStartBound is how long a sink started on topics it has just created
// may take to load its first rows. A fresh group on some 270 new
// partitions used to take from one second to over eight minutes: kafka-go
// queues each partition's NOT_LEADER_FOR_PARTITION error ahead of the
// messages, and the sink paused a second per error.
const freshStartBound = 30 * time.Second

// Started on freshly created topics, again and again, the sink loads rows
// within the bound every time (with the topics' production partition
// count, so that leader elections take as long as in production).
func TestSinkLoadsOnFreshTopicsEveryTime(t *testing.T) {
	for i := range 6 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			h := newHarness(t)
			start := time.Now()
			h.start(map[string]string{"TOPIC_PARTITIONS": "6"}, nil)
			h.produce("transactions", transactions(t, h.prefix, "link-a", 3, fetchedAt)...)
			h.waitCount(3, freshStartBound, "SELECT count() FROM DB.transactions")
			t.Logf("rows loaded %s after the start", time.Since(start).Round(time.Millisecond))
		})
	}
}

// A sink that has lag and cannot make progress (here an insert that hangs
// without failing) turns /readyz to 503 and reports how long it has been
// stalled; once it moves again it loads everything and is ready again.
func TestStalledSinkIsNotReady(t *testing.T) {
	h := newHarness(t)
	release := make(chan struct{})
	hung := make(chan struct{}, 1)
	reg := prometheus.NewRegistry()
	run := h.startWith(reg, map[string]string{"SINK_STALL_TIMEOUT": "1s"}, func() error {
		select {
		case hung <- struct{}{}:
			<-release // the first flush hangs until the test lets it go
		default:
		}
		return nil
	})
	testenv.Eventually(t, 60*time.Second, "sink ready", run.ready)
	h.produce("transactions", transactions(t, h.prefix, "link-a", 5, fetchedAt)...)
	testenv.Eventually(t, 60*time.Second, "the flush hangs", func() bool { return len(hung) == 1 })
	testenv.Eventually(t, 30*time.Second, "/readyz 503 while stalled", func() bool { return !run.ready() })
	if s := gauge(t, reg, "belvo_consumer_stalled_seconds"); s < 1 {
		t.Fatalf("belvo_consumer_stalled_seconds = %v while stalled, want at least the 1s bound", s)
	}
	close(release)
	h.waitCount(5, 60*time.Second, "SELECT count() FROM DB.transactions FINAL")
	testenv.Eventually(t, 30*time.Second, "ready again after progress", run.ready)
}

func gauge(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, mf := range mfs {
		names = append(names, mf.GetName())
		if mf.GetName() == name {
			var m *dto.Metric = mf.GetMetric()[0]
			return m.GetGauge().GetValue()
		}
	}
	t.Fatalf("no metric %s among %s", name, strings.Join(names, ", "))
	return 0
}
