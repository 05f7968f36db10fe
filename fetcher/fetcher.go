package fetcher

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/sync/errgroup"

	"github.com/finflow/belvo-pipeline/internal/admin"
	"github.com/finflow/belvo-pipeline/internal/backoff"
	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/privacy"
	"github.com/finflow/belvo-pipeline/internal/registry"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Fetcher is the fetching stage.
type Fetcher struct {
	cfg      Config
	log      *slog.Logger
	metrics  *metrics
	cluster  *broker.Cluster
	producer *broker.Producer
	registry *registry.Client
	belvo    *belvo.Client
	admin    *admin.Server
	state    *state
	planner  *planner
	offsets  *offsets
	now      func() time.Time
	topics   atomic.Pointer[[]string] // of the current consumer session, for the lag metric
	retries  retryBook                // tries of failed events, for their retry budget (execute.go)

	outputs outputs       // filled by prepare, read-only afterwards
	ready   chan struct{} // closed once prepared and the state is loaded

	converting atomic.Int32 // pages being converted now, see convertPage

	watchdog *broker.Watchdog
	share    *share // of the Belvo budget, see share.go
	readErrs *broker.ReadErrors
	rejoin   atomic.Pointer[func()] // ends the current consumer session to recreate its reader
	privacy  *privacy.Protector     // nil with PRIVACY_MODE=off, see outputs.go
	sweep    *sweeper               // nil with FETCHER_SWEEP_INTERVAL=0, see sweep.go
}

// Option changes a dependency of a Fetcher, for tests.
type Option func(*options)

type options struct {
	now   func() time.Time
	belvo []belvo.Option
}

// WithClock fixes the fetcher's notion of now (and so of today, d2).
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithBelvoOptions passes options to the Belvo client (a shared limiter, a
// fake clock).
func WithBelvoOptions(opts ...belvo.Option) Option {
	return func(o *options) { o.belvo = append(o.belvo, opts...) }
}

// New checks cfg, binds the admin listener and builds the clients. Nothing
// is read or published until Run.
func New(cfg Config, log *slog.Logger, reg *prometheus.Registry, opts ...Option) (*Fetcher, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	o := options{now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	rc, err := cfg.RegistryClient()
	if err != nil {
		return nil, err
	}
	f := &Fetcher{cfg: cfg, log: log, registry: rc, offsets: newOffsets(), now: o.now, ready: make(chan struct{})}
	if f.privacy, err = cfg.Privacy.Protector(privacyPolicy()); err != nil {
		return nil, err // Validate built it once already
	}
	f.metrics = newMetrics(reg, func() float64 { return float64(f.offsets.inFlight()) })
	if cfg.SweepInterval > 0 {
		f.sweep = newSweeper(reg)
	}
	// The limiter starts at nothing: shareBudget hands it this member's
	// share of the deployment's budget once the group is known.
	f.share = newShare(cfg.Belvo.RateLimit, cfg.Belvo.RateInterval, cfg.FirstShareWait, log)
	bopts := append([]belvo.Option{belvo.WithLogger(log), belvo.WithMetrics(belvoMetrics{f.metrics}),
		belvo.WithLimiter(f.share.limiter)}, o.belvo...)
	if f.belvo, err = belvo.New(cfg.Belvo, bopts...); err != nil {
		return nil, err
	}
	f.cluster = broker.NewCluster(broker.ClusterConfig{Brokers: cfg.Brokers, Partitions: cfg.Partitions,
		ReplicationFactor: cfg.Replication, ClientID: "belvo-fetcher", Security: cfg.Kafka})
	compression, _ := broker.ParseCompression(cfg.Compression) // checked by Validate
	f.producer = broker.NewProducer(f.cluster, broker.ProducerConfig{Compression: compression})
	lag := broker.NewLagCollector(f.cluster, cfg.Group, func() []string {
		if t := f.topics.Load(); t != nil {
			return *t
		}
		return nil
	}, log)
	f.watchdog = broker.NewWatchdog(broker.WatchdogConfig{Group: cfg.Group, Bound: cfg.StallTimeout, Lag: broker.TotalLag(lag), Log: log})
	f.readErrs = &broker.ReadErrors{Log: log, Group: cfg.Group, Count: f.metrics.readErrors.Inc}
	reg.MustRegister(lag, f.watchdog)
	f.state = newState(StateTopic(cfg.TopicPrefix), f.cluster, f.producer, log)
	f.planner = &planner{idChunk: cfg.IDChunk, lookBackDays: cfg.LookBackDays, previous: f.state.get}
	if f.admin, err = admin.New(cfg.AdminAddr, reg, f.readiness, log); err != nil {
		return nil, fmt.Errorf("%s: %w", EnvAdminAddr, err)
	}
	return f, nil
}

// AdminAddr is the bound admin address (useful with port 0 in tests).
func (f *Fetcher) AdminAddr() string { return f.admin.Addr() }

// RegistryClient is the schema registry client the fetcher uses: its own,
// or the process's (broker.Settings.ShareRegistry).
func (f *Fetcher) RegistryClient() *registry.Client { return f.registry }

// Run prepares the topics, schemas and state, then consumes until ctx ends.
// On shutdown it stops reading, lets in-flight plans finish for up to
// ShutdownTimeout (the rest stay uncommitted and are read again), commits,
// leaves the group and closes the producer, in that order: the producer
// must outlive every plan that may still publish.
func (f *Fetcher) Run(ctx context.Context) error {
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return f.admin.Run(gctx) })
	g.Go(func() error {
		if err := f.prepare(gctx); err != nil {
			return err
		}
		close(f.ready)
		f.log.Info("fetcher ready", "prefix", f.cfg.TopicPrefix, "group", f.cfg.Group, "workers", f.cfg.Workers)
		cg, cctx := errgroup.WithContext(gctx)
		cg.Go(func() error { return f.state.tail(cctx) })
		cg.Go(func() error { return f.consume(cctx) })
		cg.Go(func() error { return f.sweepLoop(cctx) })
		cg.Go(func() error {
			f.shareBudget(cctx, f.share, min(f.cfg.Belvo.RateInterval/10, 2*time.Second))
			return nil
		})
		cg.Go(func() error {
			f.watchdog.Run(cctx, func() {
				if rejoin := f.rejoin.Load(); rejoin != nil {
					(*rejoin)()
				}
			})
			return nil
		})
		return cg.Wait()
	})
	err := g.Wait()
	f.producer.Close()
	if ctx.Err() != nil && err == context.Canceled {
		err = nil
	}
	f.log.Info("fetcher stopped", "err", err)
	return err
}

// prepare registers the schemas, creates the topics and loads the state,
// retrying while Kafka or the registry are still starting.
func (f *Fetcher) prepare(ctx context.Context) error {
	wait := backoff.New(200*time.Millisecond, 5*time.Second)
	for {
		err := f.prepareOnce(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if registry.Final(err) {
			return err // refused credentials, an untrusted registry or an incompatible schema
		}
		var insecure *broker.SecurityError
		if errors.As(err, &insecure) {
			return err // no retry mends refused credentials or an untrusted broker
		}
		d := wait.Next()
		f.log.Warn("fetcher not ready, retrying", "err", err.Error(), "in", d)
		if err := wait.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

func (f *Fetcher) prepareOnce(ctx context.Context) error {
	// The state topic is compacted and has one partition; the record topics
	// take the cluster's defaults. Create it first, before anything could
	// create it with the wrong settings.
	if err := f.cluster.Ping(ctx); err != nil {
		return err
	}
	compact := broker.NewCluster(broker.ClusterConfig{Brokers: f.cfg.Brokers, Partitions: 1, ReplicationFactor: f.cfg.Replication,
		TopicConfigs: map[string]string{"cleanup.policy": "compact"}, ClientID: "belvo-fetcher", Security: f.cfg.Kafka})
	if err := compact.EnsureTopics(ctx, f.state.topic); err != nil {
		return err
	}
	// The webhook topics too, as ingest does at its start: the group then
	// subscribes to every one from its first join, whichever role starts
	// first, rather than finding some at a later discovery.
	if err := f.cluster.EnsureTopics(ctx, schemas.WebhookTopics(f.cfg.TopicPrefix)...); err != nil {
		return err
	}
	out, err := prepareOutputs(ctx, f.registry, f.cluster, f.cfg.TopicPrefix, f.privacy)
	if err != nil {
		return err
	}
	f.outputs = out
	return f.state.load(ctx)
}

// readiness answers /readyz: prepared, Kafka and the registry answer, and
// the group makes progress on its lag (see broker.Watchdog).
func (f *Fetcher) readiness(ctx context.Context) error {
	select {
	case <-f.ready:
	default:
		return fmt.Errorf("preparing topics, schemas and state")
	}
	if err := f.watchdog.Ready(); err != nil {
		return err
	}
	if err := f.cluster.Ping(ctx); err != nil {
		return err
	}
	return f.registry.Ping(ctx)
}
