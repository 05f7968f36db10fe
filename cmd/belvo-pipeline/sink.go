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
	if env.getenv("GOGC") == "" {
		debug.SetGCPercent(sink.GCPercent)
	}
	s, err := sink.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return s.Run(ctx)
}
