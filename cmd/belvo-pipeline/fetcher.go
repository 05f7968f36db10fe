package main

import (
	"context"

	"github.com/finflow/belvo-pipeline/fetcher"
	"github.com/finflow/belvo-pipeline/internal/config"
)

func runFetcher(ctx context.Context, env *runEnv, args []string) error {
	var cfg fetcher.Config
	set := config.New("fetcher")
	cfg.Bind(set)
	if _, err := parseOrUsage(set, args, env); err != nil {
		return err
	}
	f, err := fetcher.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return f.Run(ctx)
}
