package fetcher

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/proc"
	"github.com/finflow/belvo-pipeline/internal/testenv"
	"github.com/finflow/belvo-pipeline/schemas"
)

// BenchmarkFetcherEndToEnd measures records/s from Belvo pages of 1000
// transactions to records acknowledged by Kafka (acks=all), with the
// emulator, ingest and the fetcher in this process and the broker and
// registry local: one transactions historical_update per link, N workers.
// The Belvo rate limit is lifted: it is what bounds production (80
// requests per 30 s per IP), not what this measures. The last run shows
// what the default lz4 compression of record batches saves.
func BenchmarkFetcherEndToEnd(b *testing.B) {
	const links, perLink = 10, 5000
	for _, run := range []struct {
		workers     int
		compression string
	}{{1, "lz4"}, {4, "lz4"}, {16, "lz4"}, {16, "none"}} {
		workers := run.workers
		b.Run(fmt.Sprintf("workers=%d/compression=%s", workers, run.compression), func(b *testing.B) {
			w := newWorld(b, emulator.Config{Links: links, Records: perLink})
			total := 0
			for _, l := range w.emu.Links() {
				// Generate the emulator's data before the clock starts.
				recs, err := w.emu.Records("transactions", url.Values{"link": {l.ID}})
				if err != nil {
					b.Fatal(err)
				}
				total += len(recs)
			}
			r := w.startFetcher(map[string]string{EnvWorkers: fmt.Sprint(workers), "BELVO_PAGE_SIZE": "1000",
				"BELVO_RATE_LIMIT": "100000", "BELVO_RATE_INTERVAL": "1s", "TOPIC_PARTITIONS": "6", EnvCompression: run.compression})
			txs, _ := schemas.ResourceByName("transactions")
			counter := r.f.metrics.records.WithLabelValues(txs.Topic(w.prefix))
			published := func() int {
				var m dto.Metric
				_ = counter.Write(&m)
				return int(m.GetCounter().GetValue())
			}
			// round i posts one historical_update per link and waits for
			// every record of round i to be published.
			round := func(i int) {
				for _, l := range w.emu.Links() {
					w.post(b, map[string]any{"webhook_id": fmt.Sprintf("bench-%d-%s", i, l.ID), "webhook_type": "TRANSACTIONS",
						"webhook_code": "historical_update", "process_type": "historical_update", "link_id": l.ID,
						"external_id": nil, "data": map[string]any{"total_transactions": perLink}})
				}
				deadline := time.Now().Add(5 * time.Minute)
				for published() < total*(i+1) {
					if time.Now().After(deadline) {
						b.Fatalf("%d of %d records after 5 minutes", published(), total*(i+1))
					}
					time.Sleep(5 * time.Millisecond)
				}
			}
			// Rounds off the clock first: connections, topic metadata, the
			// broker's JIT and the registry settling after the fetcher's
			// ~25 registrations (it used a core for a second after them)
			// are start-up costs, not throughput. A freshly started broker
			// still spent 23 µs a record after one such round and 7-10 µs
			// once warm, hence three.
			const warmup = 3
			for i := range warmup {
				round(i)
			}
			stopProfile := profileCPU(b, fmt.Sprintf("workers-%d-%s", workers, run.compression))
			brokerPID := localBrokerPID(b)
			self0, broker0 := proc.CPUTime(os.Getpid()), proc.CPUTime(brokerPID)
			b.ResetTimer()
			start := time.Now()
			for i := range b.N {
				round(warmup + i)
			}
			elapsed := time.Since(start)
			b.StopTimer()
			self1, broker1 := proc.CPUTime(os.Getpid()), proc.CPUTime(brokerPID)
			stopProfile()
			rate := float64(total*b.N) / elapsed.Seconds()
			b.ReportMetric(rate, "records/s")
			// CPU per record says more than records/s on a shared 2-core
			// host: this process is emulator + fetcher; the broker is local.
			perRecord := func(d time.Duration) float64 { return float64(d.Microseconds()) / float64(total*b.N) }
			b.ReportMetric(perRecord(self1-self0), "µs-cpu-fetcher+emulator/record")
			if brokerPID > 0 {
				b.ReportMetric(perRecord(broker1-broker0), "µs-cpu-broker/record")
			}
			b.Logf("workers=%d compression=%s: %d records in %v = %.0f records/s", workers, run.compression, total*b.N, elapsed.Round(time.Millisecond), rate)
		})
	}
}

// profileCPU profiles the measured part only, into $BENCH_CPU_PROFILE-name
// when that is set: -cpuprofile would also hold the emulator generating its
// data before the clock starts.
func profileCPU(b *testing.B, name string) (stop func()) {
	base := os.Getenv("BENCH_CPU_PROFILE")
	if base == "" {
		return func() {}
	}
	f, err := os.Create(base + "-" + name)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// localBrokerPID is the broker `make up` started, or 0 when the broker is
// elsewhere.
func localBrokerPID(b *testing.B) int {
	return proc.PIDFile(filepath.Join(testenv.Root(b), ".local", "run", "kafka.pid"))
}
