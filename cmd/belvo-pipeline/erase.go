package main

import (
	"context"

	"github.com/finflow/belvo-pipeline/cmd/internal/ops"
	"github.com/finflow/belvo-pipeline/internal/config"
)

// runErase is `belvo-pipeline erase --link L [--reason TEXT]`: it removes
// the link's rows from every table and records the erasure.
func runErase(ctx context.Context, env *runEnv, args []string) error {
	var cfg ops.EraseConfig
	set := config.New("erase")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	_, err := ops.Erase(ctx, cfg, env.log, env.stdout)
	return err
}
