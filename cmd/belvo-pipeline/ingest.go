package main

import (
	"context"
	"runtime/debug"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

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
	srv, err := ingest.New(cfg, env.log, newRegistry())
	if err != nil {
		return err
	}
	return srv.Run(ctx)
}

// newRegistry returns a Prometheus registry with the process and Go runtime
// collectors every role exports.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// parseOrUsage parses args and env; on --help it prints the settings.
func parseOrUsage(set *config.Set, args []string, env *runEnv) ([]string, error) {
	rest, err := set.Parse(args, env.getenv)
	if err != nil {
		set.Usage(env.stdout)
	}
	return rest, err
}
