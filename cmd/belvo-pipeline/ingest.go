package main

import (
	"context"
	"os"
	"runtime"
	"runtime/debug"

	"github.com/finflow/belvo-pipeline/ingest"
	"github.com/finflow/belvo-pipeline/internal/config"
)

func runIngest(ctx context.Context, env *runEnv, args []string) error {
	var cfg ingest.Config
	set := config.New("ingest")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	// Ingest's live heap is small and its garbage is per request: trading a
	// few tens of MB of heap for half of the GC work is the cheapest
	// throughput there is. GOGC in the environment still wins.
	if env.getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	// GOGC alone lets the heap grow to three times the live heap; the
	// limit caps that where memory is what the container bounds.
	if env.getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(cfg.MemoryLimit(os.ReadFile))
	}
	// The Kubernetes deployment gives ingest one CPU, from which Go takes
	// GOMAXPROCS 1; elsewhere it took every core. Ingest's work is a few
	// microseconds a request between socket waits: on a host it shares
	// (docs/benchmarks.md) a second P made every request cost more CPU,
	// spent handing goroutines between threads, and answered no more.
	if env.getenv("GOMAXPROCS") == "" && cfg.MaxProcs > 0 && cfg.MaxProcs < runtime.GOMAXPROCS(0) {
		runtime.GOMAXPROCS(cfg.MaxProcs)
	}
	srv, err := ingest.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
