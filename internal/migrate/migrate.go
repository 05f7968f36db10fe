package migrate

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/schemas"
)

// Config is what `belvo-pipeline migrate` needs.
type Config struct {
	DSN     string        // CLICKHOUSE_DSN, default http://127.0.0.1:8123/belvo; its path is the database
	Cluster string        // CLICKHOUSE_CLUSTER (--cluster): emit ON CLUSTER and Replicated engines; empty for one server
	Timeout time.Duration // MIGRATE_TIMEOUT for the whole run, default 5m

	opts *clickhouse.Options
	db   string
}

// Bind registers the settings in s.
func (c *Config) Bind(s *config.Set) {
	s.String(&c.DSN, "clickhouse-dsn", DSNEnv, DefaultDSN, "ClickHouse server: clickhouse://host:9000/db (native) or http(s)://host:8123/db; the path is the database")
	s.String(&c.Cluster, "cluster", "CLICKHOUSE_CLUSTER", "", "cluster name (or macro such as {cluster}): create everything ON CLUSTER with Replicated engines")
	s.Duration(&c.Timeout, "timeout", "MIGRATE_TIMEOUT", 5*time.Minute, "bound on the whole migration run")
}

// Validate checks the settings before anything is opened.
func (c *Config) Validate() error {
	opts, db, err := ParseDSN(c.DSN)
	if err != nil {
		return config.Invalid(DSNEnv, "clickhouse-dsn", "%s", strings.TrimPrefix(err.Error(), DSNEnv+": "))
	}
	if c.Timeout <= 0 {
		return config.Invalid("MIGRATE_TIMEOUT", "timeout", "must be positive, got %v", c.Timeout)
	}
	c.opts, c.db = opts, db
	return nil
}

// Migrator applies the migrations to one server.
type Migrator struct {
	cfg  Config
	conn clickhouse.Conn
	log  *slog.Logger
}

// New validates cfg and opens the connection pool.
func New(cfg Config, log *slog.Logger) (*Migrator, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	conn, err := clickhouse.Open(cfg.opts)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", DSNEnv, err)
	}
	return &Migrator{cfg: cfg, conn: conn, log: log}, nil
}

// Run applies every pending migration and returns; it is the whole command.
func (m *Migrator) Run(ctx context.Context) error {
	defer m.conn.Close()
	ctx, cancel := context.WithTimeout(ctx, m.cfg.Timeout)
	defer cancel()
	applied, err := Apply(ctx, m.conn, Target{Database: m.cfg.db, Cluster: m.cfg.Cluster}, m.log)
	if err != nil {
		return err
	}
	m.log.Info("migrations done", "database", m.cfg.db, "cluster", m.cfg.Cluster, "applied", applied)
	return nil
}

// Apply brings t up to the newest migration and returns the versions it
// applied (none when the schema was current).
func Apply(ctx context.Context, conn clickhouse.Conn, t Target, log *slog.Logger) ([]int, error) {
	all, err := Migrations()
	if err != nil {
		return nil, err
	}
	db := schemas.QuoteIdent(t.Database)
	engine := "ReplacingMergeTree(`applied_at`)"
	if t.Cluster != "" {
		engine = "ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/{database}/{table}', '{replica}', `applied_at`)"
	}
	for _, stmt := range []string{
		"CREATE DATABASE IF NOT EXISTS " + db + onCluster(t.Cluster),
		// One row per application; the latest row of a version is its state.
		"CREATE TABLE IF NOT EXISTS " + db + ".`schema_migrations`" + onCluster(t.Cluster) +
			" (`version` UInt32, `name` String, `checksum` String, `applied_at` DateTime64(6, 'UTC'))" +
			" ENGINE = " + engine + " ORDER BY `version`",
	} {
		if err := conn.Exec(ctx, stmt); err != nil {
			return nil, fmt.Errorf("prepare %s: %w", t.Database, err)
		}
	}
	done, err := appliedChecksums(ctx, conn, db)
	if err != nil {
		return nil, err
	}
	var applied []int
	for _, mig := range all {
		sum, ok := done[mig.Version]
		switch {
		case ok && sum == mig.Checksum:
			continue
		case ok && !mig.Repeatable:
			return applied, fmt.Errorf("migration %04d_%s changed after it was applied (checksum %s, recorded %s): add a new migration instead", mig.Version, mig.Name, mig.Checksum, sum)
		}
		stmts, err := mig.SQL(t)
		if err != nil {
			return applied, err
		}
		for i, stmt := range stmts {
			if err := conn.Exec(ctx, stmt); err != nil {
				return applied, fmt.Errorf("migration %04d_%s statement %d: %w", mig.Version, mig.Name, i+1, err)
			}
		}
		if err := conn.Exec(ctx, "INSERT INTO "+db+".`schema_migrations` (`version`, `name`, `checksum`, `applied_at`) VALUES (?, ?, ?, now64(6))",
			uint32(mig.Version), mig.Name, mig.Checksum); err != nil {
			return applied, fmt.Errorf("record migration %04d_%s: %w", mig.Version, mig.Name, err)
		}
		if log != nil {
			log.Info("migration applied", "version", mig.Version, "name", mig.Name, "statements", len(stmts))
		}
		applied = append(applied, mig.Version)
	}
	return applied, nil
}

func appliedChecksums(ctx context.Context, conn clickhouse.Conn, db string) (map[int]string, error) {
	rows, err := conn.Query(ctx, "SELECT `version`, argMax(`checksum`, `applied_at`) FROM "+db+".`schema_migrations` GROUP BY `version`")
	if err != nil {
		return nil, fmt.Errorf("read applied migrations: %w", err)
	}
	defer rows.Close()
	out := map[int]string{}
	for rows.Next() {
		var (
			v   uint32
			sum string
		)
		if err := rows.Scan(&v, &sum); err != nil {
			return nil, fmt.Errorf("read applied migrations: %w", err)
		}
		out[int(v)] = sum
	}
	return out, rows.Err()
}
