package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// The faults, in the order a run injects them. fresh-sink happens at the
// start (the topics are new then); the others are spread over the load.
const (
	faultFreshSink  = "fresh-sink"
	faultKillFetch  = "kill-fetcher"
	faultKillSink   = "kill-sink"
	faultKillIngest = "kill-ingest"
	faultKafka      = "restart-kafka"
	faultClickHouse = "restart-clickhouse"
)

var allFaults = []string{faultFreshSink, faultKillFetch, faultKillSink, faultKillIngest, faultKafka, faultClickHouse}

// faultSets are names for several faults at once. "safe" leaves the
// shared Kafka and ClickHouse alone: other people's tests run against them.
var faultSets = map[string][]string{
	"all":        allFaults,
	"safe":       {faultFreshSink, faultKillFetch, faultKillSink, faultKillIngest},
	"kill-roles": {faultKillFetch, faultKillSink, faultKillIngest},
	"restarts":   {faultKafka, faultClickHouse},
	"none":       {},
}

// parseFaults reads a comma-separated list of faults and sets; the result
// is in injection order, without repeats.
func parseFaults(s string) ([]string, error) {
	want := map[string]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		if set, ok := faultSets[name]; ok {
			for _, f := range set {
				want[f] = true
			}
			continue
		}
		if !slices.Contains(allFaults, name) {
			names := append(slices.Sorted(maps.Keys(faultSets)), allFaults...)
			return nil, fmt.Errorf("unknown fault %q (know %s)", name, strings.Join(names, ", "))
		}
		want[name] = true
	}
	var out []string
	for _, f := range allFaults {
		if want[f] {
			out = append(out, f)
		}
	}
	return out, nil
}

// schedule returns when each fault of the load happens, after the load's
// start: evenly spread over its expected duration, so each lands while
// webhooks are still arriving.
func schedule(faults []string, load time.Duration) []time.Duration {
	var during []string
	for _, f := range faults {
		if f != faultFreshSink {
			during = append(during, f)
		}
	}
	out := make([]time.Duration, len(during))
	for i := range during {
		out[i] = load * time.Duration(i+1) / time.Duration(len(during)+1)
	}
	return out
}

// faultResult is what the report says about one injected fault.
type faultResult struct {
	name     string
	at       time.Duration // since the first role started
	took     time.Duration // until every role answered /readyz 200 again
	note     string
	notReady map[string]int // /readyz samples other than 200 during the fault, per role
	err      error
}

// service restarts Kafka or ClickHouse with the project's script; the
// script refuses a server this checkout did not start, which the run
// must not pretend to have restarted.
func service(ctx context.Context, scripts, name, logDir string) (time.Duration, error) {
	script := scripts + "/" + name + ".sh"
	log, err := os.OpenFile(logDir+"/services.log", os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return 0, err
	}
	defer log.Close()
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()
	t0 := time.Now()
	fmt.Fprintf(log, "\n===== chaos: %s restart at %s =====\n", script, t0.Format(time.RFC3339Nano))
	cmd := exec.CommandContext(ctx, script, "restart")
	var said strings.Builder
	// One writer for both: exec then copies them with one goroutine.
	out := io.MultiWriter(log, &said)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Run(); err != nil {
		lines := strings.Split(strings.TrimSpace(said.String()), "\n")
		return time.Since(t0), fmt.Errorf("%s restart: %w: %s (see %s; --faults safe leaves Kafka and ClickHouse alone)",
			script, err, lines[len(lines)-1], log.Name())
	}
	return time.Since(t0), nil
}
