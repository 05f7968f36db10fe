// Command loadgen measures a webhook receiver: it posts realistic Belvo
// webhooks over 127.0.0.1, counts every answer (2xx or not), checks that
// Kafka holds as many new events as it got 2xx answers, and prints the rate
// and latency percentiles. scripts/bench-ingest.sh runs it against ingest and
// against a peer (Bento) on the same load and prints one table.
//
//	loadgen fake-kafka -addr 127.0.0.1:19092      # an in-memory Kafka (kfake), until killed
//	loadgen topic -brokers B -topic T -partitions 6
//	loadgen post -url http://127.0.0.1:18080/webhooks/belvo -c 64 -d 10s [-rate N] [-pid N] [-broker-pid N]
//	             [-brokers B -topics PREFIX] [-system ours -broker kfake -out results.jsonl]
//	loadgen table -in results.jsonl
//	loadgen idle -for 2s                           # the host's idle % over that time
//
// Load is bounded by -d and -n and goes to loopback addresses only.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/finflow/belvo-pipeline/internal/proc"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: loadgen fake-kafka|topic|post|table|idle [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "fake-kafka":
		err = fakeKafka(os.Args[2:])
	case "topic":
		err = topic(os.Args[2:])
	case "post":
		err = post(os.Args[2:])
	case "table":
		err = table(os.Args[2:])
	case "idle":
		err = idle(os.Args[2:])
	default:
		err = fmt.Errorf("unknown mode %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "loadgen:", err)
		os.Exit(1)
	}
}

// idle prints the share of the host's cores left idle over -for, as the
// legs' host_idle_pct counts it, in whole percent.
func idle(args []string) error {
	fs := flag.NewFlagSet("idle", flag.ContinueOnError)
	span := fs.Duration("for", 2*time.Second, "how long to watch the host")
	if err := fs.Parse(args); err != nil {
		return err
	}
	busy0, total0 := proc.HostCPU()
	time.Sleep(*span)
	busy1, total1 := proc.HostCPU()
	pct, ok := proc.IdlePct(busy0, total0, busy1, total1)
	if !ok {
		return errors.New("idle: /proc/stat says nothing of the host's CPU time")
	}
	fmt.Printf("%.0f\n", pct)
	return nil
}

func fakeKafka(args []string) error {
	fs := flag.NewFlagSet("fake-kafka", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:19092", "listen address (port used)")
	retention := fs.Duration("retention", 10*time.Second, "how long records are kept: an in-memory broker that keeps every record of a load run grows a heap of gigabytes whose collection steals the cores the measured systems share")
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, portText, _ := strings.Cut(*addr, ":")
	port, err := strconv.Atoi(portText)
	if err != nil {
		return fmt.Errorf("-addr: %w", err)
	}
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.Ports(port), kfake.AllowAutoTopicCreation(),
		kfake.BrokerConfigs(map[string]string{"log.retention.ms": strconv.FormatInt(retention.Milliseconds(), 10)}))
	if err != nil {
		return err
	}
	defer c.Close()
	fmt.Println("fake kafka on", c.ListenAddrs())
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	// kfake applies a broker-wide retention only when asked (its own timer
	// runs for topics with retention set on them). The high watermarks that
	// post counts stored events by are kept.
	tick := time.NewTicker(max(*retention/4, 100*time.Millisecond))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
			c.ApplyRetention()
		}
	}
}
