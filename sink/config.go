package sink

import (
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/broker"
	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
)

// maxBatchRows keeps a table's batch within one ClickHouse insert block
// (max_insert_block_size is 1,048,576 rows): a block is stored atomically,
// which the high-water-mark skip in doc.go relies on.
const maxBatchRows = 1_000_000

// Config is everything the sink needs. Bind fills it from flags and env,
// Validate checks it before anything is opened.
type Config struct {
	broker.Settings               // KAFKA_*, SCHEMA_REGISTRY_*, TOPIC_PREFIX
	DSN             string        // CLICKHOUSE_DSN, default http://127.0.0.1:8123/belvo; the path is the database
	Partitions      int           // TOPIC_PARTITIONS of topics the sink creates when missing, default 6
	Replication     int           // TOPIC_REPLICATION_FACTOR, default 1
	Group           string        // SINK_GROUP: Kafka consumer group, default belvo-sink
	BatchRows       int           // SINK_BATCH_ROWS: flush when one table has this many rows, default 100,000
	BatchBytes      int           // SINK_BATCH_BYTES: flush when pending messages hold this many bytes, default 64 MiB
	FlushInterval   time.Duration // SINK_FLUSH_INTERVAL: flush at the latest this long after the first pending message, default 1s
	MaxBackoff      time.Duration // SINK_MAX_BACKOFF: longest wait between retries of ClickHouse, Kafka or the registry, default 10s
	ShutdownTimeout time.Duration // SINK_SHUTDOWN_TIMEOUT: how long SIGTERM's final flush and commit may take, default 30s
	AdminAddr       string        // SINK_ADMIN_ADDR: /healthz, /readyz, /metrics, default :9102
	Discovery       time.Duration // SINK_DISCOVERY_INTERVAL: how often webhook topics of new types are looked for, default 30s
	StallTimeout    time.Duration // SINK_STALL_TIMEOUT: lag without progress this long recreates the reader, twice this long fails /readyz, default 60s

	chOpts   *clickhouse.Options
	database string
}

// Bind registers the settings in s.
func (c *Config) Bind(s *config.Set) {
	c.Settings.Bind(s)
	s.String(&c.DSN, "clickhouse-dsn", migrate.DSNEnv, migrate.DefaultDSN, "ClickHouse server: clickhouse://host:9000/db (native) or http(s)://host:8123/db; the path is the database")
	s.Int(&c.Partitions, "topic-partitions", "TOPIC_PARTITIONS", 6, "partitions of topics the sink creates when missing (its dead-letter topic)")
	s.Int(&c.Replication, "topic-replication-factor", "TOPIC_REPLICATION_FACTOR", 1, "replication factor of topics the sink creates")
	s.String(&c.Group, "group", "SINK_GROUP", "belvo-sink", "Kafka consumer group")
	s.Int(&c.BatchRows, "batch-rows", "SINK_BATCH_ROWS", 100_000, "flush when one table has this many pending rows")
	s.Int(&c.BatchBytes, "batch-bytes", "SINK_BATCH_BYTES", 64<<20, "flush when pending messages hold this many bytes")
	s.Duration(&c.FlushInterval, "flush-interval", "SINK_FLUSH_INTERVAL", time.Second, "flush at the latest this long after the first pending message")
	s.Duration(&c.MaxBackoff, "max-backoff", "SINK_MAX_BACKOFF", 10*time.Second, "longest wait between retries of an unavailable dependency")
	s.Duration(&c.ShutdownTimeout, "shutdown-timeout", "SINK_SHUTDOWN_TIMEOUT", 30*time.Second, "how long the final flush and commit may take on SIGTERM")
	s.String(&c.AdminAddr, "admin-addr", "SINK_ADMIN_ADDR", ":9102", "listen address of /healthz, /readyz and /metrics")
	s.Duration(&c.Discovery, "discovery-interval", "SINK_DISCOVERY_INTERVAL", 30*time.Second, "how often webhook topics of types the catalogue lacks are looked for (audited in webhook_events)")
	s.Duration(&c.StallTimeout, "stall-timeout", "SINK_STALL_TIMEOUT", time.Minute, "lag without progress this long recreates the Kafka reader; twice this long turns /readyz to 503")
}

// Validate checks every setting and names the first bad one.
func (c *Config) Validate() error {
	if err := c.Settings.Validate(); err != nil {
		return err
	}
	opts, db, err := migrate.ParseDSN(c.DSN)
	if err != nil {
		return config.Invalid(migrate.DSNEnv, "clickhouse-dsn", "%s", strings.TrimPrefix(err.Error(), migrate.DSNEnv+": "))
	}
	if c.Partitions < 1 {
		return config.Invalid("TOPIC_PARTITIONS", "topic-partitions", "must be at least 1, got %d", c.Partitions)
	}
	if c.Replication < 1 {
		return config.Invalid("TOPIC_REPLICATION_FACTOR", "topic-replication-factor", "must be at least 1, got %d", c.Replication)
	}
	if c.Group == "" {
		return config.Invalid("SINK_GROUP", "group", "must not be empty")
	}
	if c.BatchRows < 1 || c.BatchRows > maxBatchRows {
		return config.Invalid("SINK_BATCH_ROWS", "batch-rows", "must be 1..%d (one insert block), got %d", maxBatchRows, c.BatchRows)
	}
	if c.BatchBytes < 1<<10 {
		return config.Invalid("SINK_BATCH_BYTES", "batch-bytes", "must be at least 1024, got %d", c.BatchBytes)
	}
	if c.FlushInterval <= 0 {
		return config.Invalid("SINK_FLUSH_INTERVAL", "flush-interval", "must be positive, got %v", c.FlushInterval)
	}
	if c.MaxBackoff <= 0 {
		return config.Invalid("SINK_MAX_BACKOFF", "max-backoff", "must be positive, got %v", c.MaxBackoff)
	}
	if c.ShutdownTimeout <= 0 {
		return config.Invalid("SINK_SHUTDOWN_TIMEOUT", "shutdown-timeout", "must be positive, got %v", c.ShutdownTimeout)
	}
	if c.Discovery <= 0 {
		return config.Invalid("SINK_DISCOVERY_INTERVAL", "discovery-interval", "must be positive, got %v", c.Discovery)
	}
	if c.StallTimeout < time.Second {
		return config.Invalid("SINK_STALL_TIMEOUT", "stall-timeout", "must be at least 1s, got %v", c.StallTimeout)
	}
	if c.AdminAddr == "" {
		return config.Invalid("SINK_ADMIN_ADDR", "admin-addr", "must not be empty")
	}
	c.chOpts, c.database = opts, db
	return nil
}

// GCPercent is the collector's setting the sink runs with unless GOGC is
// set. Its garbage is per batch (decoded records, rows, insert blocks) and
// its live heap two batches at most: collecting at 200 % of it spends less
// CPU on a host the sink shares with ClickHouse, for a heap bounded by
// SINK_BATCH_ROWS and SINK_BATCH_BYTES either way.
const GCPercent = 200
