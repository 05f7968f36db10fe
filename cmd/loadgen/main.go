// Command loadgen measures ingest: it posts realistic Belvo webhooks to a
// running ingest over 127.0.0.1 and prints acknowledged webhooks per second,
// latency percentiles, errors and the ingest process's memory.
//
//	loadgen fake-kafka -addr 127.0.0.1:19092   # an in-memory Kafka (kfake), until killed
//	loadgen post -url http://127.0.0.1:18080/webhooks/belvo -c 64 -d 10s [-rate 30000] [-pid N]
//
// Load is bounded by -d and -n and goes to loopback addresses only.
package main

import (
	"context"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/finflow/belvo-pipeline/internal/proc"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/valyala/fasthttp"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen fake-kafka|post [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "fake-kafka":
		err = fakeKafka(os.Args[2:])
	case "post":
		err = post(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

func fakeKafka(args []string) error {
	fs := flag.NewFlagSet("fake-kafka", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:19092", "listen address (port used)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, portText, _ := strings.Cut(*addr, ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.AllowAutoTopicCreation())
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("fake kafka on", c.ListenAddrs())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	return nil
}

// body is a realistic TRANSACTIONS webhook of about 600 bytes; the id is
// unique per request so the dedup window never short-circuits the path.
func body(buf []byte, worker, seq int) []byte {
	return fmt.Appendf(buf[:0], `{"webhook_id":"%08x%08x%016x","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",`+
		`"webhook_code":"new_transactions_available","link_id":"%08x-bcbc-4cf7-b815-c500d4204e28",`+
		`"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","external_id":"customer-%d-account-reference-0001",`+
		`"data":{"new_transactions":%d,"total_transactions":1824,"total_inflow_transactions":911,"total_outflow_transactions":913,`+
		`"first_transaction_date":"2024-01-03","last_transaction_date":"2026-11-22","account_id":"0d3ffb69-f83b-456e-ad8e-208d0998d71d",`+
		`"institution":"erebor_br_retail","note":"synthetic load from loadgen; shaped like Belvo's documented TRANSACTIONS webhook"}}`,
		worker, seq, time.Now().UnixNano(), seq%5000, worker, seq%50+1)
}

func post(args []string) error {
	fs := flag.NewFlagSet("post", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:18080/webhooks/belvo", "ingest webhook URL (loopback only)")
	conns := fs.Int("c", 64, "concurrent connections")
	dur := fs.Duration("d", 10*time.Second, "how long to post")
	maxN := fs.Int("n", 5_000_000, "most requests in total")
	rate := fs.Int("rate", 0, "requests per second in total; 0 = as fast as acknowledged")
	pid := fs.Int("pid", 0, "ingest process id, for its memory")
	label := fs.String("label", "", "label printed with the results")
	if err := fs.Parse(args); err != nil {
		return err
	}
	u, err := url.Parse(*target)
	if err != nil {
		return err
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return fmt.Errorf("-url must point at loopback, got %s", h)
	}
	client := &fasthttp.HostClient{Addr: u.Host, MaxConns: *conns, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	cpu0 := proc.CPUTime(*pid)
	var sent atomic.Int64
	statuses := make([]map[int]int, *conns)
	lat := make([][]time.Duration, *conns)
	start := time.Now()
	end := start.Add(*dur)
	var wg sync.WaitGroup
	for w := 0; w < *conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := map[int]int{}
			ls := make([]time.Duration, 0, 1<<16)
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.SetRequestURI(*target)
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			var buf []byte
			var interval time.Duration
			if *rate > 0 {
				interval = time.Duration(float64(time.Second) * float64(*conns) / float64(*rate))
			}
			next := start.Add(time.Duration(w) * interval / time.Duration(*conns))
			for seq := 0; ; seq++ {
				if sent.Add(1) > int64(*maxN) {
					break
				}
				sched := time.Now()
				if interval > 0 {
					// Open-loop schedule: latency counts from when the
					// request was due, so a stall is not hidden by the
					// requests it delayed (coordinated omission).
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
					sched = next
					next = next.Add(interval)
				}
				if sched.After(end) {
					break
				}
				buf = body(buf, w, seq)
				req.SetBodyRaw(buf)
				err := client.Do(req, res)
				code := res.StatusCode()
				if err != nil {
					code = -1
				}
				st[code]++
				if code == fasthttp.StatusAccepted {
					ls = append(ls, time.Since(sched))
				}
			}
			statuses[w], lat[w] = st, ls
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	total := map[int]int{}
	var all []time.Duration
	for w := range statuses {
		for k, v := range statuses[w] {
			total[k] += v
		}
		all = append(all, lat[w]...)
	}
	slices.Sort(all)
	pct := func(p float64) time.Duration {
		if len(all) == 0 {
			return 0
		}
		return all[min(len(all)-1, int(p*float64(len(all))))]
	}
	acked := total[fasthttp.StatusAccepted]
	errs := 0
	for k, v := range total {
		if k != fasthttp.StatusAccepted {
			errs += v
		}
	}
	mode := "max"
	if *rate > 0 {
		mode = fmt.Sprintf("%d/s", *rate)
	}
	fmt.Printf("%-22s load=%-8s conns=%-3d acked=%-8d acked/s=%-9.0f p50=%-9v p99=%-9v p999=%-9v max=%-9v errors=%d %v",
		*label, mode, *conns, acked, float64(acked)/elapsed.Seconds(), pct(.50), pct(.99), pct(.999), pct(1), errs, total)
	if *pid > 0 {
		rss, hwm := proc.Memory(*pid)
		fmt.Printf(" ingest_rss=%s ingest_peak_rss=%s", rss, hwm)
		// The load generator and an in-memory broker share the cores with
		// ingest; its own CPU per webhook says what ingest alone would do.
		if used := proc.CPUTime(*pid) - cpu0; acked > 0 && used > 0 {
			per := used / time.Duration(acked)
			fmt.Printf(" ingest_cpu_per_webhook=%v ingest_alone_on_%d_cores≈%.0f/s", per, runtime.NumCPU(), float64(runtime.NumCPU())*float64(time.Second)/float64(per))
		}
	}
	fmt.Println()
	return nil
}
