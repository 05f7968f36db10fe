package fetcher

import (
	"bytes"
	"runtime"
	"testing"
	"time"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// A shutdown that cuts a plan short in the middle of its listing ends the
// listing with it: nothing keeps reading Belvo, or holding pages, after
// Run returned.
func TestShutdownMidListingLeavesNoListingRunning(t *testing.T) {
	w := newWorld(t, emulator.Config{Links: 1, Records: 300})
	// 30 pages of 10 at 10 requests a second: the listing lasts about three
	// seconds, and the shutdown lets a plan finish for none of them.
	r := w.startFetcher(map[string]string{"BELVO_RATE_LIMIT": "5", "BELVO_RATE_INTERVAL": "500ms", EnvShutdownTimeout: "1ms"})
	w.post(t, map[string]any{"webhook_id": "w-cut", "webhook_type": "TRANSACTIONS", "webhook_code": "historical_update",
		"process_type": "historical_update", "link_id": w.emu.Links()[0].ID, "external_id": nil,
		"data": map[string]any{"total_transactions": 300}})
	txs, _ := schemas.ResourceByName("transactions")
	published := func() float64 { return counterSum(t, r.f.metrics.records.WithLabelValues(txs.Topic(w.prefix))) }
	testenv.Eventually(t, time.Minute, "a listing running with pages published", func() bool {
		return published() > 0 && listing()
	})
	if err := r.stop(t); err != nil {
		t.Fatal(err)
	}
	if n := published(); n >= 300 {
		t.Fatalf("%v records published: the plan ended before the shutdown, nothing was cut", n)
	}
	testenv.Eventually(t, 10*time.Second, "no listing left after Run returned", func() bool { return !listing() })
}

// listing reports whether a goroutine of belvo.Client.Prefetch runs.
func listing() bool {
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return bytes.Contains(buf[:n], []byte("belvo.(*Client).Prefetch.func"))
		}
		buf = make([]byte, 2*len(buf))
	}
}
