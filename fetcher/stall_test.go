package fetcher

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
)

// freshStartBound is how long a fetcher started on webhook topics created
// moments before may take to finish its first events. Its group used to
// sit for minutes draining kafka-go's queued NOT_LEADER_FOR_PARTITION
// errors at one a second (see broker.ReadErrors).
const freshStartBound = 30 * time.Second

// Started on freshly created topics, again and again, the fetcher finishes
// the events delivered to them within the bound every time.
func TestFetcherFetchesOnFreshTopicsEveryTime(t *testing.T) {
	for i := range 4 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			w := newWorld(t, emulator.Config{Links: 2, Records: 20})
			start := time.Now()
			r := w.startFetcher(nil)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			if st, err := w.emu.RunLoad(ctx, 2, 100); err != nil || st.Delivered != 2 {
				t.Fatalf("load: %+v %v", st, err)
			}
			testenv.Eventually(t, freshStartBound, "both events finished", func() bool { return counterSum(t, r.f.metrics.events) >= 2 })
			t.Logf("events finished %s after the start", time.Since(start).Round(time.Millisecond))
		})
	}
}

func counterSum(t testing.TB, c prometheus.Collector) float64 {
	t.Helper()
	ch := make(chan prometheus.Metric, 64)
	go func() { c.Collect(ch); close(ch) }()
	var sum float64
	for m := range ch {
		var d dto.Metric
		if err := m.Write(&d); err != nil {
			t.Fatal(err)
		}
		sum += d.GetCounter().GetValue()
	}
	return sum
}
