package fetcher

import (
	"net"
	"time"

	"github.com/finflow/belvo-pipeline/internal/belvo"
	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/privacy"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Env names of the fetcher's own settings; the Belvo client's are in
// package belvo.
const (
	EnvGroup           = "FETCHER_GROUP"
	EnvWorkers         = "FETCHER_WORKERS"
	EnvMaxPending      = "FETCHER_MAX_PENDING"
	EnvLookBackDays    = "FETCHER_LOOKBACK_DAYS"
	EnvIDChunk         = "FETCHER_ID_CHUNK"
	EnvDiscovery       = "FETCHER_DISCOVERY_INTERVAL"
	EnvRetryBackoff    = "FETCHER_RETRY_BACKOFF"
	EnvRetryMaxTries   = "FETCHER_RETRY_MAX_ATTEMPTS"
	EnvRetryMaxAge     = "FETCHER_RETRY_MAX_AGE"
	EnvShutdownTimeout = "FETCHER_SHUTDOWN_TIMEOUT"
	EnvStallTimeout    = "FETCHER_STALL_TIMEOUT"
	EnvAdminAddr       = "FETCHER_ADMIN_ADDR"
	EnvCompression     = "FETCHER_COMPRESSION"
	EnvSweepInterval   = "FETCHER_SWEEP_INTERVAL"
	EnvSweepGrace      = "FETCHER_SWEEP_GRACE"
	EnvFirstShareWait  = "FETCHER_FIRST_SHARE_WAIT"
)

// Config is everything the fetcher needs. Bind fills it from flags and env;
// Validate checks it before anything is opened.
type Config struct {
	broker.Settings               // KAFKA_*, SCHEMA_REGISTRY_*, TOPIC_PREFIX
	Partitions      int           // TOPIC_PARTITIONS of the record topics the fetcher creates, default 6
	Replication     int           // TOPIC_REPLICATION_FACTOR, default 1 (3 in production)
	Group           string        // FETCHER_GROUP: consumer group id, default belvo-fetcher
	Workers         int           // FETCHER_WORKERS: links fetched at once, default 16
	MaxPending      int           // FETCHER_MAX_PENDING: events read but not finished, default 2000
	LookBackDays    int           // FETCHER_LOOKBACK_DAYS: d1 of the first created_at__range is today minus this, default 30
	IDChunk         int           // FETCHER_ID_CHUNK: ids per id__in call, default 100 (about 3.7 kB of URL with UUIDs)
	Discovery       time.Duration // FETCHER_DISCOVERY_INTERVAL: how often new webhook topics are looked for, default 30s
	RetryBackoff    time.Duration // FETCHER_RETRY_BACKOFF: first wait before re-running a plan that failed transiently, doubled up to 5m, default 5s
	RetryMaxTries   int           // FETCHER_RETRY_MAX_ATTEMPTS: runs of one event's plan before it is parked, default 20
	RetryMaxAge     time.Duration // FETCHER_RETRY_MAX_AGE: how long after its first failure an event still failing is parked, default 1h
	ShutdownTimeout time.Duration // FETCHER_SHUTDOWN_TIMEOUT: how long shutdown lets in-flight plans finish, default 30s
	StallTimeout    time.Duration // FETCHER_STALL_TIMEOUT: lag without progress this long recreates the reader, twice this long fails /readyz, default 60s
	AdminAddr       string        // FETCHER_ADMIN_ADDR: healthz/readyz/metrics listener, default :9101
	Compression     string        // FETCHER_COMPRESSION of the record batches it produces: none, gzip, snappy, lz4 (default) or zstd
	SweepInterval   time.Duration // FETCHER_SWEEP_INTERVAL: how often one replica sweeps every link for records no webhook announced (sweep.go); 0, the default, is off
	SweepGrace      time.Duration // FETCHER_SWEEP_GRACE: records created this recently are fetched by a sweep but not counted missed yet, default 1h
	FirstShareWait  bool          // FETCHER_FIRST_SHARE_WAIT: a new replica waits one BELVO_RATE_INTERVAL before its first request (share.go), default true
	Belvo           belvo.Config  // BELVO_*: the API client

	// PRIVACY_*: personal data hashed or dropped before publishing
	// (schemas.Privacy, docs/privacy.md).
	Privacy privacy.Settings
}

// Bind registers the settings in s.
func (c *Config) Bind(s *config.Set) {
	c.Settings.Bind(s)
	s.Int(&c.Partitions, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of topics created by the fetcher")
	s.Int(&c.Replication, "topic-replication-factor", "TOPIC_REPLICATION_FACTOR", 1, "replication factor of topics created by the fetcher")
	s.String(&c.Group, "group", EnvGroup, "belvo-fetcher", "consumer group id shared by the fetcher's replicas")
	s.Int(&c.Workers, "workers", EnvWorkers, 16, "links fetched concurrently")
	s.Int(&c.MaxPending, "max-pending", EnvMaxPending, 2000, "events read from Kafka but not finished, at most")
	s.Int(&c.LookBackDays, "lookback-days", EnvLookBackDays, 30, "days before today where the first created_at__range of a link and resource starts")
	s.Int(&c.IDChunk, "id-chunk", EnvIDChunk, 100, "ids per id__in request, keeping URLs short")
	s.Duration(&c.Discovery, "discovery-interval", EnvDiscovery, 30*time.Second, "how often new webhook topics are looked for")
	s.Duration(&c.RetryBackoff, "retry-backoff", EnvRetryBackoff, 5*time.Second, "first wait before re-running a plan that failed transiently (doubled up to 5m)")
	s.Int(&c.RetryMaxTries, "retry-max-attempts", EnvRetryMaxTries, 20, "runs of one event's plan that may fail transiently before the event is parked (dead letter + error_events)")
	s.Duration(&c.RetryMaxAge, "retry-max-age", EnvRetryMaxAge, time.Hour, "how long after its first failure an event that keeps failing is parked, so its link's later events go on")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", EnvShutdownTimeout, 30*time.Second, "how long shutdown lets in-flight plans finish before leaving them uncommitted")
	s.Duration(&c.StallTimeout, "stall-timeout", EnvStallTimeout, time.Minute, "lag without progress (no event read, page fetched or offset committed) this long recreates the Kafka reader; twice this long turns /readyz to 503")
	s.String(&c.AdminAddr, "admin-addr", EnvAdminAddr, ":9101", "listen address of /healthz, /readyz and /metrics")
	s.String(&c.Compression, "compression", EnvCompression, "lz4", "compression of produced record batches: none, gzip, snappy, lz4 or zstd")
	s.Duration(&c.SweepInterval, "sweep-interval", EnvSweepInterval, 0,
		"how often one replica lists the links and fetches what is new since each link's watermark, counting records no webhook announced (e.g. 24h); 0 is off")
	s.Bool(&c.FirstShareWait, "first-share-wait", EnvFirstShareWait, true,
		"wait one BELVO_RATE_INTERVAL before the first Belvo request, since a replica this one replaces may have used the budget just before; false only where nothing else calls that Belvo (run's emulator, started with it)")
	s.Duration(&c.SweepGrace, "sweep-grace", EnvSweepGrace, time.Hour,
		"records created less than this before a sweep are fetched but not yet counted as missed: their webhook may still be on its way")
	c.Privacy.Bind(s)
	c.Belvo.Bind(s)
}

// Validate checks every setting and names the first bad one.
func (c *Config) Validate() error {
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	for _, n := range []struct {
		env, flag string
		v, min    int
	}{
		{"TOPIC_PARTITIONS", "topic-partitions", c.Partitions, 1},
		{"TOPIC_REPLICATION_FACTOR", "topic-replication-factor", c.Replication, 1},
		{EnvWorkers, "workers", c.Workers, 1},
		{EnvMaxPending, "max-pending", c.MaxPending, 1},
		{EnvLookBackDays, "lookback-days", c.LookBackDays, 0},
		{EnvIDChunk, "id-chunk", c.IDChunk, 1},
		{EnvRetryMaxTries, "retry-max-attempts", c.RetryMaxTries, 1},
	} {
		if n.v < n.min {
			return config.Invalid(n.env, n.flag, "must be at least %d, got %d", n.min, n.v)
		}
	}
	if c.IDChunk > 200 {
		// 200 UUIDs and commas are about 7.4 kB of query: beyond the 8 kB
		// request line many proxies accept.
		return config.Invalid(EnvIDChunk, "id-chunk", "must be at most 200 to keep URLs under 8 kB, got %d", c.IDChunk)
	}
	if c.Group == "" {
		return config.Invalid(EnvGroup, "group", "must not be empty")
	}
	for _, d := range []struct {
		env, flag string
		v         time.Duration
	}{
		{EnvDiscovery, "discovery-interval", c.Discovery},
		{EnvRetryBackoff, "retry-backoff", c.RetryBackoff},
		{EnvRetryMaxAge, "retry-max-age", c.RetryMaxAge},
		{EnvStallTimeout, "stall-timeout", c.StallTimeout},
	} {
		if d.v <= 0 {
			return config.Invalid(d.env, d.flag, "must be positive, got %v", d.v)
		}
	}
	if c.SweepInterval < 0 {
		return config.Invalid(EnvSweepInterval, "sweep-interval", "must not be negative (0 is off), got %v", c.SweepInterval)
	}
	if c.SweepGrace < 0 {
		return config.Invalid(EnvSweepGrace, "sweep-grace", "must not be negative, got %v", c.SweepGrace)
	}
	if c.ShutdownTimeout < 0 {
		return config.Invalid(EnvShutdownTimeout, "shutdown-timeout", "must not be negative, got %v", c.ShutdownTimeout)
	}
	if _, _, err := net.SplitHostPort(c.AdminAddr); err != nil {
		return config.Invalid(EnvAdminAddr, "admin-addr", "%q is not host:port", c.AdminAddr)
	}
	if _, err := broker.ParseCompression(c.Compression); err != nil {
		return config.Invalid(EnvCompression, "compression", "%v", err)
	}
	if err := c.Privacy.Validate(privacyPolicy(), func(r string) bool { _, ok := schemas.ResourceByName(r); return ok }); err != nil {
		return err
	}
	return c.Belvo.Defaults().Validate()
}
