package main

import (
	"context"
	"os"
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
	srv, err := ingest.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}
