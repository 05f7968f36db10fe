package main

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"

	"github.com/finflow/belvo-pipeline/internal/proc"
)

// idRange is where a run's webhook ids come from: the run's start second and
// a random nonce make the high half, a counter the low half. No two runs
// share an id, on one machine or across machines, so no run can be served by
// a receiver's dedup window, which would make it look faster than it is.
type idRange struct {
	base uint64
	next atomic.Uint64
}

func newIDRange() *idRange {
	var nonce [4]byte
	_, _ = rand.Read(nonce[:])
	return &idRange{base: uint64(time.Now().Unix())<<32 | uint64(binary.BigEndian.Uint32(nonce[:]))}
}

func (r *idRange) take() uint64 { return r.next.Add(1) - 1 }

// String is the range of ids handed out so far.
func (r *idRange) String() string {
	return fmt.Sprintf("%016x%016x..%016x%016x", r.base, 0, r.base, max(r.next.Load(), 1)-1)
}

// body is a realistic TRANSACTIONS webhook of about 600 bytes with webhook
// id n of the run's range. webhook.lua sends the same body under wrk: a
// change here belongs there too.
func (r *idRange) body(buf []byte, worker int, n uint64) []byte {
	return fmt.Appendf(buf[:0], `{"webhook_id":"%016x%016x","webhook_type":"TRANSACTIONS","process_type":"recurrent_update",`+
		`"webhook_code":"new_transactions_available","link_id":"%08x-bcbc-4cf7-b815-c500d4204e28",`+
		`"request_id":"4363b08b-51eb-4350-9c74-5df5ac92a7f6","external_id":"customer-%d-account-reference-0001",`+
		`"data":{"new_transactions":%d,"total_transactions":1824,"total_inflow_transactions":911,"total_outflow_transactions":913,`+
		`"first_transaction_date":"2024-01-03","last_transaction_date":"2026-11-22","account_id":"0d3ffb69-f83b-456e-ad8e-208d0998d71d",`+
		`"institution":"erebor_br_retail","note":"synthetic load from loadgen; shaped like Belvo's documented TRANSACTIONS webhook"}}`,
		r.base, n, n%5000, worker, n%50+1)
}

// result is one run, as post prints it and table reads it.
type result struct {
	System  string         `json:"system"`
	Broker  string         `json:"broker"`
	Label   string         `json:"label"`
	Load    string         `json:"load"`
	Conns   int            `json:"conns"`
	IDs     string         `json:"ids"`
	Seconds float64        `json:"seconds"`
	OK      int            `json:"ok"`      // 2xx answers
	NotOK   int            `json:"not_ok"`  // other answers and transport errors
	Answers map[string]int `json:"answers"` // by status code; "error" for no answer
	Rate    float64        `json:"rate"`    // 2xx answers per second
	P50     float64        `json:"p50_ms"`
	P99     float64        `json:"p99_ms"`
	P999    float64        `json:"p999_ms"`
	Max     float64        `json:"max_ms"`
	// Events is how many events the run added to Kafka, -1 when not counted.
	Events    int64   `json:"events"`
	RSSKB     int64   `json:"rss_kb,omitempty"`
	PeakRSSKB int64   `json:"peak_rss_kb,omitempty"`
	CPUPerReq float64 `json:"cpu_us_per_2xx,omitempty"`
	// What the rest of the shared host spent per 2xx: the load generator
	// (this process and wrk), the broker (when -broker-pid names it), and
	// every process together; HostIdle is the share of the cores left idle.
	LoadgenCPUPerReq float64 `json:"loadgen_cpu_us_per_2xx,omitempty"`
	BrokerCPUPerReq  float64 `json:"broker_cpu_us_per_2xx,omitempty"`
	HostCPUPerReq    float64 `json:"host_cpu_us_per_2xx,omitempty"`
	HostIdle         float64 `json:"host_idle_pct,omitempty"`
	LoadBefore       string  `json:"loadavg_before"`
}

func post(args []string) error {
	fs := flag.NewFlagSet("post", flag.ContinueOnError)
	target := fs.String("url", "http://127.0.0.1:18080/webhooks/belvo", "webhook URL (loopback only)")
	conns := fs.Int("c", 64, "concurrent connections")
	tool := fs.String("tool", "loadgen", "what sends the load: loadgen (its own client) or wrk (on PATH, two threads, closed loop only)")
	dur := fs.Duration("d", 10*time.Second, "how long to post")
	maxN := fs.Int("n", 5_000_000, "most requests in total")
	rate := fs.Int("rate", 0, "requests per second in total; 0 = as fast as answered")
	pid := fs.Int("pid", 0, "receiver's process id, for its memory and CPU")
	brokerPID := fs.Int("broker-pid", 0, "broker's process id, for its CPU per 2xx")
	label := fs.String("label", "", "label printed with the results")
	system := fs.String("system", "", "what received the load, for the table (ours, Bento)")
	brokerName := fs.String("broker", "", "which broker it wrote to, for the table")
	brokers := fs.String("brokers", "", "Kafka to count the stored events in (loopback only); empty: not counted")
	topics := fs.String("topics", "", "prefix of the topics the receiver writes, which nothing else may write during the run")
	out := fs.String("out", "", "append the result as a JSON line to this file")
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
	counter, err := newEventCounter(*brokers, *topics)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), *dur+time.Minute)
	defer cancel()
	var before int64
	if counter != nil {
		if before, err = counter.count(ctx); err != nil {
			return fmt.Errorf("count events before the run: %w", err)
		}
	}
	loadBefore := loadavg()
	ids := newIDRange()
	cpu0, broker0, gen0 := proc.CPUTime(*pid), proc.CPUTime(*brokerPID), proc.SelfAndChildrenCPU()
	busy0, total0 := proc.HostCPU()
	var r result
	switch *tool {
	case "wrk":
		if *rate > 0 {
			return fmt.Errorf("-rate: wrk has no fixed-rate mode; use -tool loadgen")
		}
		if r, err = wrkLoad(ctx, *target, *conns, *dur, ids); err != nil {
			return err
		}
	case "loadgen":
		r = clientLoad(*target, u.Host, *conns, *dur, *maxN, *rate, ids)
	default:
		return fmt.Errorf("-tool: %q is neither loadgen nor wrk", *tool)
	}
	r.System, r.Broker, r.Label, r.Conns, r.Events, r.LoadBefore = *system, *brokerName, *label, *conns, -1, loadBefore
	busy1, total1 := proc.HostCPU()
	r.LoadgenCPUPerReq = perReq(proc.SelfAndChildrenCPU()-gen0, r.OK)
	r.HostCPUPerReq = perReq(busy1-busy0, r.OK)
	r.HostIdle, _ = proc.IdlePct(busy0, total0, busy1, total1)
	r.BrokerCPUPerReq = perReq(proc.CPUTime(*brokerPID)-broker0, r.OK) // 0 without -broker-pid
	if *pid > 0 {
		rss, peak := proc.Memory(*pid)
		r.RSSKB, r.PeakRSSKB = kilobytes(rss), kilobytes(peak)
		r.CPUPerReq = perReq(proc.CPUTime(*pid)-cpu0, r.OK)
	}
	if counter != nil {
		// Every 2xx was acknowledged by Kafka before it was answered, so the
		// count is final at once; a request the client gave up on may still
		// land, so a short poll lets it show rather than hide a loss.
		deadline := time.Now().Add(3 * time.Second)
		for {
			after, err := counter.count(ctx)
			if err != nil {
				return fmt.Errorf("count events after the run: %w", err)
			}
			r.Events = after - before
			if r.Events >= int64(r.OK) || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	printResult(r)
	if *out != "" {
		f, err := os.OpenFile(*out, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := json.NewEncoder(f).Encode(r); err != nil {
			return err
		}
	}
	if r.Events >= 0 && r.Events < int64(r.OK) {
		return fmt.Errorf("%s: %d answers were 2xx but Kafka holds only %d new events", r.Label, r.OK, r.Events)
	}
	return nil
}

func printResult(r result) {
	var b strings.Builder
	fmt.Fprintf(&b, "%-24s load=%-8s conns=%-3d 2xx=%-8d 2xx/s=%-8.0f p50=%.2fms p99=%.2fms p999=%.2fms max=%.2fms non-2xx=%d %v ids=%s",
		r.Label, r.Load, r.Conns, r.OK, r.Rate, r.P50, r.P99, r.P999, r.Max, r.NotOK, r.Answers, r.IDs)
	if r.Events >= 0 {
		fmt.Fprintf(&b, " kafka_events=%d", r.Events)
	}
	if r.RSSKB > 0 {
		fmt.Fprintf(&b, " rss=%dkB peak_rss=%dkB", r.RSSKB, r.PeakRSSKB)
	}
	if r.CPUPerReq > 0 {
		// The load generator and an in-memory broker share the cores with
		// the receiver; its own CPU per answer says what it would do alone.
		fmt.Fprintf(&b, " cpu_per_2xx=%.1fµs alone_on_%d_cores≈%.0f/s", r.CPUPerReq, runtime.NumCPU(), float64(runtime.NumCPU())*1e6/r.CPUPerReq)
	}
	if r.HostCPUPerReq > 0 {
		fmt.Fprintf(&b, " loadgen_cpu_per_2xx=%.1fµs broker_cpu_per_2xx=%.1fµs host_cpu_per_2xx=%.1fµs host_idle=%.1f%%",
			r.LoadgenCPUPerReq, r.BrokerCPUPerReq, r.HostCPUPerReq, r.HostIdle)
	}
	fmt.Println(b.String())
}

// perReq is used CPU time per answer in microseconds; 0 when either is
// unknown.
func perReq(used time.Duration, answers int) float64 {
	if used <= 0 || answers <= 0 {
		return 0
	}
	return float64(used) / float64(answers) / float64(time.Microsecond)
}

// kilobytes reads proc.Memory's "123kB"; 0 when unknown.
func kilobytes(s string) int64 {
	n, _ := strconv.ParseInt(strings.TrimSuffix(s, "kB"), 10, 64)
	return n
}

// loadavg is the first three fields of /proc/loadavg: how busy the shared
// machine was when a run started.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// clientLoad posts with loadgen's own client: closed loop, or open loop at
// rate requests per second in total.
func clientLoad(target, host string, conns int, dur time.Duration, maxN, rate int, ids *idRange) result {
	client := &fasthttp.HostClient{Addr: host, MaxConns: conns, ReadTimeout: 10 * time.Second, WriteTimeout: 10 * time.Second}
	var sent atomic.Int64
	statuses := make([]map[int]int, conns)
	lat := make([][]time.Duration, conns)
	start := time.Now()
	end := start.Add(dur)
	var wg sync.WaitGroup
	for w := 0; w < conns; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := map[int]int{}
			ls := make([]time.Duration, 0, 1<<16)
			req, res := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			req.SetRequestURI(target)
			req.Header.SetMethod(fasthttp.MethodPost)
			req.Header.SetContentType("application/json")
			var buf []byte
			var interval time.Duration
			if rate > 0 {
				interval = time.Duration(float64(time.Second) * float64(conns) / float64(rate))
			}
			next := start.Add(time.Duration(w) * interval / time.Duration(conns))
			for {
				if sent.Add(1) > int64(maxN) {
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
				buf = ids.body(buf, w, ids.take())
				req.SetBodyRaw(buf)
				code := -1
				if err := client.Do(req, res); err == nil {
					code = res.StatusCode()
				}
				st[code]++
				if code >= 200 && code < 300 {
					ls = append(ls, time.Since(sched))
				}
			}
			statuses[w], lat[w] = st, ls
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	r := result{Load: "max", IDs: ids.String(), Seconds: elapsed.Seconds(), Answers: map[string]int{}}
	if rate > 0 {
		r.Load = fmt.Sprintf("%d/s", rate)
	}
	var all []time.Duration
	for w := range statuses {
		for code, n := range statuses[w] {
			name := fmt.Sprint(code)
			if code == -1 {
				name = "error"
			}
			r.Answers[name] += n
			if code >= 200 && code < 300 {
				r.OK += n
			} else {
				r.NotOK += n
			}
		}
		all = append(all, lat[w]...)
	}
	slices.Sort(all)
	ms := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[min(len(all)-1, int(p*float64(len(all))))]) / float64(time.Millisecond)
	}
	r.Rate = float64(r.OK) / elapsed.Seconds()
	r.P50, r.P99, r.P999, r.Max = ms(.50), ms(.99), ms(.999), ms(1)
	return r
}
