package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/fetcher"
	"github.com/finflow/belvo-pipeline/ingest"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/emulator"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/sink"
)

// Pipeline is every role, configured and bound, not yet running.
type Pipeline struct {
	Ingest   *ingest.Server
	Fetcher  *fetcher.Fetcher
	Sink     *sink.Sink
	Emulator *emulator.Emulator // nil when BELVO_URL names a real Belvo

	migrator *migrate.Migrator
	emuLn    net.Listener
	regs     map[string]*prometheus.Registry
	dsn      string
	log      *slog.Logger
}

// runDefaults are the settings `run` changes from the roles' own defaults:
// loopback addresses that do not collide with each other, a sink that
// flushes sooner, and, with the emulator, a client rate fit for a local
// demo (the emulator has no burst limit unless asked; real Belvo keeps the
// client's safe default).
//
// The flush interval: the sink reads nothing while it inserts, and each
// flush costs an insert per table however few its rows, so a row waits for
// the interval and then for a whole flush; on the local engine the sink's
// 1 s left a steady load further and further behind (make bench-freshness,
// docs/freshness.md). A deployment keeps the sink's default: larger, fewer
// inserts.
//
// The rate limit: the limiter's window is the interval plus a margin
// (fetcher/share.go), so 200 per 1 s throttled a burst of webhooks that
// the emulator answers at once.
func runDefaults(getenv func(string) string, withEmulator bool) func(string) string {
	d := map[string]string{
		"INGEST_ADDR":         "127.0.0.1:8080",
		"FETCHER_ADMIN_ADDR":  "127.0.0.1:9101",
		"SINK_ADMIN_ADDR":     "127.0.0.1:9102",
		"SINK_FLUSH_INTERVAL": "250ms",
	}
	get := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return d[k]
	}
	if withEmulator {
		d["EMULATOR_ADDR"] = "127.0.0.1:8090"
		d["EMULATOR_RETRY_INTERVAL"] = "2s"
		d["EMULATOR_WEBHOOK_AUTHORIZATION"] = getenv("WEBHOOK_AUTHORIZATION")
		d["BELVO_SECRET_ID"] = firstNonEmpty(getenv("EMULATOR_SECRET_ID"), "emulator-id")
		d["BELVO_SECRET_PASSWORD"] = firstNonEmpty(getenv("EMULATOR_SECRET_PASSWORD"), "emulator-password")
		d["BELVO_RATE_LIMIT"] = "1000"
		d["BELVO_RATE_INTERVAL"] = "1s"
		// The emulator starts with the fetcher: no earlier client has used
		// its budget, and waiting an interval only delayed the first fetch.
		d["FETCHER_FIRST_SHARE_WAIT"] = "false"
		d["EMULATOR_SECRET_ID"] = d["BELVO_SECRET_ID"]
		d["EMULATOR_SECRET_PASSWORD"] = d["BELVO_SECRET_PASSWORD"]
	}
	return get
}

// overlay returns get with the values of d where get has none.
func overlay(get func(string) string, d map[string]string) func(string) string {
	return func(k string) string {
		if v := get(k); v != "" {
			return v
		}
		return d[k]
	}
}

// loopback turns a wildcard listen address into one a client can dial.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil || (host != "" && host != "0.0.0.0" && host != "::") {
		return addr
	}
	return net.JoinHostPort("127.0.0.1", port)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// UsesEmulator reports whether the pipeline would run against the bundled
// emulator: BELVO_URL unset, or pointing at it.
func UsesEmulator(getenv func(string) string) bool { return getenv("BELVO_URL") == "" }

// New builds every role from the environment (getenv), with `run`'s
// defaults, and binds their listeners; a bad setting is reported with its
// name before anything starts.
func New(getenv func(string) string, log *slog.Logger) (*Pipeline, error) {
	withEmu := UsesEmulator(getenv)
	get := runDefaults(getenv, withEmu)
	p := &Pipeline{regs: map[string]*prometheus.Registry{}, log: log}

	var mcfg migrate.Config
	if err := parseEnv("migrate", mcfg.Bind, get); err != nil {
		return nil, err
	}
	var err error
	if p.migrator, err = migrate.New(mcfg, log.With("role", "migrate")); err != nil {
		return nil, err
	}
	p.dsn = mcfg.DSN

	var icfg ingest.Config
	if err := parseEnv("ingest", icfg.Bind, get); err != nil {
		return nil, err
	}
	// One registry client for the process: each schema is registered,
	// checked and resolved once, not once per stage. Every stage reads the
	// same SCHEMA_REGISTRY_* settings.
	rc, err := registry.NewClient(icfg.Registry)
	if err != nil {
		return nil, err
	}
	icfg.ShareRegistry(rc)
	if p.Ingest, err = ingest.New(icfg, log.With("role", "ingest"), p.registry("ingest")); err != nil {
		return nil, err
	}
	if withEmu {
		// The emulator posts to ingest and the fetcher calls the emulator:
		// their URLs come from the addresses actually bound, so port 0
		// (tests) works as well as fixed ports.
		hook := map[string]string{"EMULATOR_WEBHOOK_URL": "http://" + loopback(p.Ingest.Addr()) + "/webhooks/belvo"}
		var ecfg emulator.Config
		if err := parseEnv("emulator", ecfg.Bind, overlay(get, hook)); err != nil {
			return nil, err
		}
		if p.Emulator, err = emulator.New(ecfg, log.With("role", "emulator")); err != nil {
			return nil, err
		}
		if p.emuLn, err = net.Listen("tcp", p.Emulator.Config().Addr); err != nil {
			return nil, fmt.Errorf("EMULATOR_ADDR: listen on %s: %w", p.Emulator.Config().Addr, err)
		}
		get = overlay(get, map[string]string{"BELVO_URL": "http://" + loopback(p.emuLn.Addr().String())})
	}
	var fcfg fetcher.Config
	if err := parseEnv("fetcher", fcfg.Bind, get); err != nil {
		return nil, err
	}
	fcfg.ShareRegistry(rc)
	if p.Fetcher, err = fetcher.New(fcfg, log.With("role", "fetcher"), p.registry("fetcher")); err != nil {
		return nil, err
	}
	var scfg sink.Config
	if err := parseEnv("sink", scfg.Bind, get); err != nil {
		return nil, err
	}
	scfg.ShareRegistry(rc)
	if p.Sink, err = sink.New(scfg, log.With("role", "sink"), p.registry("sink")); err != nil {
		return nil, err
	}
	return p, nil
}

// parseEnv fills a role's Config from the environment only: `run` has no
// per-role flags, so the roles' flag names cannot collide.
func parseEnv(name string, bind func(*config.Set), getenv func(string) string) error {
	set := config.New(name)
	bind(set)
	_, err := set.Parse(nil, getenv)
	return err
}

// registry gives each role a registry of its own, as it would have in its
// own process: their metric names never meet.
func (p *Pipeline) registry(role string) *prometheus.Registry {
	r := prometheus.NewRegistry()
	p.regs[role] = r
	return r
}

// Run applies the migrations, then runs every role until ctx ends or one
// of them fails; it returns after all have shut down.
func (p *Pipeline) Run(ctx context.Context) error {
	if err := p.migrate(ctx); err != nil {
		if p.emuLn != nil {
			p.emuLn.Close()
		}
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return p.Ingest.Run(gctx) })
	g.Go(func() error { return p.Fetcher.Run(gctx) })
	g.Go(func() error { return p.Sink.Run(gctx) })
	if p.Emulator != nil {
		g.Go(func() error { return p.Emulator.Serve(gctx, p.emuLn) })
	}
	err := g.Wait()
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		return nil
	}
	return err
}

// RunScenario sends the emulator's scenario to ingest; a webhook ingest
// did not acknowledge is an error.
func (p *Pipeline) RunScenario(ctx context.Context) ([]emulator.Delivery, error) {
	ds, err := p.Emulator.RunScenario(ctx)
	if err != nil {
		return ds, err
	}
	for _, d := range ds {
		if !d.Delivered {
			return ds, fmt.Errorf("webhook %s %s/%s not acknowledged by ingest", d.WebhookID, d.Type, d.Code)
		}
	}
	return ds, nil
}

// Start runs the pipeline in the background and returns once every role
// is ready (or ctx ends); stop ends the run and returns Run's error. stop
// must be called even when Start fails.
func (p *Pipeline) Start(ctx context.Context) (stop func() error, err error) {
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- p.Run(runCtx) }()
	stop = func() error { cancel(); return <-done }
	return stop, p.WaitReady(ctx)
}

// migrate retries while ClickHouse is still starting.
func (p *Pipeline) migrate(ctx context.Context) error {
	deadline := time.Now().Add(time.Minute)
	for {
		err := p.migrator.Run(ctx)
		if err == nil || time.Now().After(deadline) || ctx.Err() != nil {
			return err
		}
		p.log.Warn("migrate failed, retrying", "err", err.Error())
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// WaitReady polls every role's readiness endpoint until all answer 200.
func (p *Pipeline) WaitReady(ctx context.Context) error {
	for _, addr := range []string{p.Ingest.Addr(), p.Fetcher.AdminAddr(), p.Sink.AdminAddr()} {
		u := "http://" + loopback(addr) + "/readyz"
		for {
			res, err := http.Get(u)
			if err == nil {
				res.Body.Close()
				if res.StatusCode == http.StatusOK {
					break
				}
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", u, ctx.Err())
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	return nil
}
