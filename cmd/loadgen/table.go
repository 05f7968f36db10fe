package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"
)

// table prints the runs of a results file side by side, one row per broker:
// ours, the peer, and ours as a multiple of the peer's rate.
func table(args []string) error {
	fs := flag.NewFlagSet("table", flag.ContinueOnError)
	in := fs.String("in", "", "results file written by post -out")
	ours := fs.String("ours", "ours", "system name of ours in the results")
	if err := fs.Parse(args); err != nil {
		return err
	}
	f, err := os.Open(*in)
	if err != nil {
		return err
	}
	defer f.Close()
	var brokers, peers []string
	runs := map[[2]string]result{} // by broker, system
	var loads []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return fmt.Errorf("%s: %w", *in, err)
		}
		if !slices.Contains(brokers, r.Broker) {
			brokers = append(brokers, r.Broker)
		}
		if r.System != *ours && !slices.Contains(peers, r.System) {
			peers = append(peers, r.System)
		}
		runs[[2]string{r.Broker, r.System}] = r
		loads = append(loads, r.LoadBefore)
	}
	if err := sc.Err(); err != nil {
		return err
	}
	cell := func(r result, ok bool) string {
		if !ok {
			return "not run"
		}
		s := fmt.Sprintf("%s/s, p50 %.1f ms, p99 %.1f ms, %d non-2xx", thousands(r.Rate), r.P50, r.P99, r.NotOK)
		switch {
		case r.Events < 0:
		case r.Events == int64(r.OK):
			s += ", Kafka = 2xx"
		default:
			s += fmt.Sprintf(", Kafka %d vs %d 2xx", r.Events, r.OK)
		}
		return s
	}
	fmt.Printf("\n%s, %d cores, %s; load average (1, 5, 15 min) before each run: %s\n\n",
		cpuModel(), runtime.NumCPU(), runtime.Version(), strings.Join(loads, " | "))
	head := "| broker | " + *ours
	for _, p := range peers {
		head += " | " + p + " | ratio"
	}
	fmt.Println(head + " |")
	fmt.Println("|---|---" + strings.Repeat("|---|---", len(peers)) + "|")
	for _, b := range brokers {
		o, ook := runs[[2]string{b, *ours}]
		row := "| " + b + " | " + cell(o, ook)
		for _, p := range peers {
			r, ok := runs[[2]string{b, p}]
			ratio := "–"
			if ook && ok && r.Rate > 0 {
				ratio = fmt.Sprintf("%.2f×", o.Rate/r.Rate)
			}
			row += " | " + cell(r, ok) + " | " + ratio
		}
		fmt.Println(row + " |")
	}
	return nil
}

func thousands(v float64) string {
	s := fmt.Sprintf("%.0f", v)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}
