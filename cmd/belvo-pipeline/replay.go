package main

import (
	"context"

	"github.com/finflow/belvo-pipeline/cmd/internal/ops"
	"github.com/finflow/belvo-pipeline/internal/config"
)

// runReplay is `belvo-pipeline replay --resource R ... --from TIME [--to
// TIME]`: it reloads records still in Kafka into ClickHouse.
func runReplay(ctx context.Context, env *runEnv, args []string) error {
	var cfg ops.ReplayConfig
	set := config.New("replay")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	_, err := ops.Replay(ctx, cfg, env.log, env.stdout)
	return err
}
