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
		"ingest":   {"receive Belvo webhooks and publish them to Kafka as Avro", runIngest},
		"run":      {"every role in one process (with the Belvo emulator unless BELVO_URL is set)", runAll},
		"emulator": {"serve the Belvo emulator and deliver its webhooks", runEmulator},
		"fetcher":  {"turn webhook events into Belvo GET calls and publish the records as Avro", runFetcher},
		"request":  {"send an async POST, refresh or link deletion to Belvo and record it", runRequest},
		"migrate":  {"create or upgrade the ClickHouse schema (tables, views)", runMigrate},
		"sink":     {"load the record and webhook topics into ClickHouse", runSink},
	}
}

func main() {
	os.Exit(mainWithArgs(os.Args[1:]))
}

func mainWithArgs(args []string) int {
	log := slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel(os.Getenv("LOG_LEVEL"))}))
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(os.Stderr, cmds)
		return 2
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

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: belvo-pipeline <command> [flags]   (every flag also reads its env variable; --help lists them)")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
}

func logLevel(v string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		return slog.LevelInfo
	}
	return l
}
