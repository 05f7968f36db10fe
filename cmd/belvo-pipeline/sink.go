package main

import (
	"context"
	"runtime/debug"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/sink"
)

func runSink(ctx context.Context, env *runEnv, args []string) error {
	var cfg sink.Config
	set := config.New("sink")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	// The sink's garbage is per batch (decoded records, rows, insert
	// blocks) and its live heap two batches at most: GC at 200 % of it
	// spends less CPU on a host the sink shares with ClickHouse. GOGC in
	// the environment still wins.
	if env.getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
	s, err := sink.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
