package main

import (
	"context"

	"github.com/finflow/belvo-pipeline/cmd/internal/ops"
	"github.com/finflow/belvo-pipeline/internal/config"
)

// runBackfill is `belvo-pipeline backfill --link L ... | --all-links
// [--resource R ...] [--since DATE --until DATE]` (a list flag repeats or
// takes commas): it publishes the events
// the fetcher executes to re-fetch the links' history, then shows what the
// sink loads for them.
func runBackfill(ctx context.Context, env *runEnv, args []string) error {
	var cfg ops.BackfillConfig
	set := config.New("backfill")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	_, err := ops.Backfill(ctx, cfg, env.log, env.stdout)
	return err
}
