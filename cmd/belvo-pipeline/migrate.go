package main

import (
	"context"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
)

func runMigrate(ctx context.Context, env *runEnv, args []string) error {
	var cfg migrate.Config
	set := config.New("migrate")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	m, err := migrate.New(cfg, env.log)
	if err != nil {
		return err
	}
	return m.Run(ctx)
}
