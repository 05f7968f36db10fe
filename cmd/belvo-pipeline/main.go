// Command belvo-pipeline is the one binary of the pipeline: a subcommand per
// role, each configured by flags or their environment-variable equivalents.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/finflow/belvo-pipeline/internal/config"
)

// command is one role of the binary. run gets a context cancelled on SIGINT
// or SIGTERM; it returns nil after a clean shutdown.
type command struct {
	summary string
	run     func(ctx context.Context, env *runEnv, args []string) error
}

// runEnv is what every subcommand gets from the process, passed explicitly
// so tests can run subcommands in-process.
type runEnv struct {
	getenv func(string) string
	stdout io.Writer
	log    *slog.Logger
}

func commands() map[string]command {
	return map[string]command{
		"ingest":      {"receive Belvo webhooks and publish them to Kafka as Avro", runIngest},
		"run":         {"every role in one process (with the Belvo emulator unless BELVO_URL is set)", runAll},
		"emulator":    {"serve the Belvo emulator and deliver its webhooks", runEmulator},
		"fetcher":     {"turn webhook events into Belvo GET calls and publish the records as Avro", runFetcher},
		"request":     {"send an async POST, refresh or link deletion to Belvo and record it", runRequest},
		"migrate":     {"create or upgrade the ClickHouse schema (tables, views)", runMigrate},
		"sink":        {"load the record and webhook topics into ClickHouse", runSink},
		"backfill":    {"re-fetch links' history from Belvo through the fetcher (events marked backfill)", runBackfill},
		"replay":      {"reload records still in Kafka into ClickHouse, through the sink's loading", runReplay},
		"erase":       {"remove a link's rows from every ClickHouse table and record the erasure", runErase},
		"config-docs": {"print the configuration reference of every command (docs/configuration.md)", runConfigDocs},
	}
}

func main() {
	os.Exit(mainWithArgs(os.Args[1:]))
}

// globalSettings are read before any subcommand: every command logs.
func globalSettings(level *slog.Level) *config.Set {
	set := config.New("belvo-pipeline")
	set.Level(level, "", "LOG_LEVEL", slog.LevelInfo, "least severe log level written (JSON lines on stderr)")
	return set
}

func mainWithArgs(args []string) int {
	var level slog.Level
	if _, err := globalSettings(&level).Parse(nil, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "belvo-pipeline: %v\n", err)
		return 2
	}
	log := newLogger(os.Stderr, level)
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(os.Stderr, cmds)
		return 2
	}
	if args[0] == "--version" || args[0] == "-version" || args[0] == "version" {
		fmt.Fprintln(os.Stdout, buildInfo())
		return 0
	}
	cmd, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(os.Stderr, "belvo-pipeline: unknown command %q\n\n", args[0])
		usage(os.Stderr, cmds)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	env := &runEnv{getenv: os.Getenv, stdout: os.Stdout, log: log.With("role", args[0])}
	if err := cmd.run(ctx, env, args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		log.Error("exit", "role", args[0], "err", err.Error())
		fmt.Fprintf(os.Stderr, "belvo-pipeline %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

// newLogger writes JSON lines. Durations are written as Go writes them
// ("30s", "1m0s") rather than as slog's nanosecond integers, so that a log
// line shows a setting the way it is configured.
func newLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level, ReplaceAttr: readableDurations}))
}

func readableDurations(_ []string, a slog.Attr) slog.Attr {
	if a.Value.Kind() == slog.KindDuration {
		a.Value = slog.StringValue(a.Value.Duration().String())
	}
	return a
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: belvo-pipeline <command> [flags]   (every flag also reads its env variable; --help lists them)")
	fmt.Fprintln(w, "       belvo-pipeline --version")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-11s %s\n", n, cmds[n].summary)
	}
}

// newRegistry returns a Prometheus registry with what every role exports
// besides its own metrics: the process and Go runtime collectors and
// belvo_build_info.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	registerBuildInfo(reg, buildInfo())
	return reg
}

// parseOrUsage parses args and env; on --help it prints the settings. Once
// parsed, it logs the build and the settings that differ from their
// defaults (secrets redacted).
func parseOrUsage(set *config.Set, args []string, env *runEnv) ([]string, error) {
	rest, err := set.Parse(args, env.getenv)
	if err != nil {
		set.Usage(env.stdout)
		return rest, err
	}
	b := buildInfo()
	attrs := []any{"version", b.Version, "revision", b.Revision}
	if changed := set.Changed(); len(changed) > 0 {
		attrs = append(attrs, slog.Any("settings", slog.GroupValue(changed...)))
	}
	env.log.Info("starting", attrs...)
	return rest, nil
}
