package ops

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/ClickHouse/clickhouse-go/v2"

	"github.com/finflow/belvo-pipeline/internal/config"
	"github.com/finflow/belvo-pipeline/internal/migrate"
	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/finflow/belvo-pipeline/sink"
)

// webhookEventsTable is the sink's audit of every webhook event, keyed by
// event_key and holding the link of each.
const webhookEventsTable = "webhook_events"

// EraseConfig is what `belvo-pipeline erase` needs.
type EraseConfig struct {
	DSN    string // CLICKHOUSE_DSN
	Link   string // --link
	Reason string // --reason, recorded with the erasure
}

// Bind registers the settings in s.
func (c *EraseConfig) Bind(s *config.Set) {
	s.String(&c.DSN, "clickhouse-dsn", migrate.DSNEnv, migrate.DefaultDSN, "ClickHouse server: clickhouse://host:9000/db (native) or http(s)://host:8123/db; the path is the database")
	s.String(&c.Link, "link", "", "", "the link whose rows are erased (required)")
	s.String(&c.Reason, "reason", "", "", "why, recorded in the erasures table (e.g. the data subject's request number)")
}

// Validate checks the settings before anything is opened.
func (c *EraseConfig) Validate() error {
	if _, _, err := migrate.ParseDSN(c.DSN); err != nil {
		return config.Invalid(migrate.DSNEnv, "clickhouse-dsn", "%s", strings.TrimPrefix(err.Error(), migrate.DSNEnv+": "))
	}
	if strings.TrimSpace(c.Link) == "" {
		return config.Invalid("", "link", "required: the link to erase")
	}
	return nil
}

// Erasure is one finished erasure.
type Erasure struct {
	ID     string
	Link   string
	Rows   uint64         // rows holding the link's data before the erasure, every table
	Tables map[string]int // of them, per table that had any
}

// Erase removes the link's rows from every table and records the erasure
// in the erasures table (migration 0008): first as requested, then with
// its completion time and what it removed. Running it again is harmless.
func Erase(ctx context.Context, cfg EraseConfig, log *slog.Logger, out io.Writer) (Erasure, error) {
	if err := cfg.Validate(); err != nil {
		return Erasure{}, err
	}
	conn, db, err := migrate.Open(cfg.DSN)
	if err != nil {
		return Erasure{}, err
	}
	defer conn.Close()
	e := Erasure{ID: newID("erasure-"), Link: cfg.Link}
	at := time.Now().UTC()
	if err := recordErasure(ctx, conn, db, e, cfg.Reason, at, nil); err != nil {
		return e, err
	}
	if e.Tables, e.Rows, err = eraseLink(ctx, conn, db, cfg.Link, e.ID, at, schemas.Tables(), true); err != nil {
		return e, err
	}
	done := time.Now().UTC()
	if err := recordErasure(ctx, conn, db, e, cfg.Reason, at, &done); err != nil {
		return e, err
	}
	log.Info("link erased", "link_id", cfg.Link, "erasure_id", e.ID, "rows", e.Rows)
	fmt.Fprintf(out, "erased link %s: %d rows in %d tables (erasure %s)\n", cfg.Link, e.Rows, len(e.Tables), e.ID)
	return e, nil
}

// eraseLink erases link from tables (and from webhook_events when audit is
// set) and returns how many rows held its data, per table.
//
// Two steps. First every current row becomes a deletion row, exactly as a
// successful link_deleted fact makes them (sink.PurgeLink): FINAL and every
// view stop showing the link at once, and a record fetched before the
// erasure that is loaded later (still in Kafka, or replayed) stays hidden,
// its version being lower. Then every row still holding data (is_deleted
// = 0, or a deletion record with its raw JSON) is deleted for good with a
// lightweight DELETE, rather than waiting for merges to drop the replaced
// versions: the deletion rows left hold the id, the link and the erasure's
// id, nothing else.
func eraseLink(ctx context.Context, conn clickhouse.Conn, db, link, erasureID string, at time.Time, tables []schemas.Resource, audit bool) (map[string]int, uint64, error) {
	per := map[string]int{}
	var total uint64
	holding := "`link_id` = ? AND (`is_deleted` = 0 OR `raw` != '')"
	for _, r := range tables {
		n, err := count(ctx, conn, db, r.Name, holding, link)
		if err != nil {
			return nil, 0, err
		}
		if n > 0 {
			per[r.Name] = int(n)
			total += n
		}
	}
	if err := sink.PurgeLink(ctx, conn, db, link, erasureID, at, tables); err != nil {
		return nil, 0, err
	}
	for _, r := range tables {
		if per[r.Name] == 0 {
			continue
		}
		if err := conn.Exec(ctx, "DELETE FROM "+qualified(db, r.Name)+" WHERE "+holding, link); err != nil {
			return nil, 0, fmt.Errorf("erase link %s from %s: %w", link, r.Name, err)
		}
	}
	if !audit {
		return per, total, nil
	}
	n, err := count(ctx, conn, db, webhookEventsTable, "`link_id` = ?", link)
	if err != nil {
		return nil, 0, err
	}
	if n > 0 {
		per[webhookEventsTable] = int(n)
		total += n
		if err := conn.Exec(ctx, "DELETE FROM "+qualified(db, webhookEventsTable)+" WHERE `link_id` = ?", link); err != nil {
			return nil, 0, fmt.Errorf("erase link %s from %s: %w", link, webhookEventsTable, err)
		}
	}
	return per, total, nil
}

// reapplyErasures erases again, from tables (and webhook_events when audit
// is set), every link an earlier erasure removed: a replay reloads whatever
// Kafka still holds of them. It records nothing new; the deletion rows
// carry the original erasure's id.
func reapplyErasures(ctx context.Context, conn clickhouse.Conn, db string, tables []schemas.Resource, audit bool) (uint64, error) {
	rows, err := conn.Query(ctx, "SELECT `link_id`, argMax(`erasure_id`, `version`) FROM "+qualified(db, migrate.ErasuresTable)+" FINAL GROUP BY `link_id`")
	if err != nil {
		return 0, fmt.Errorf("read erasures: %w", err)
	}
	type erased struct{ link, id string }
	var links []erased
	for rows.Next() {
		var e erased
		if err := rows.Scan(&e.link, &e.id); err != nil {
			rows.Close()
			return 0, fmt.Errorf("read erasures: %w", err)
		}
		links = append(links, e)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, fmt.Errorf("read erasures: %w", err)
	}
	var total uint64
	for _, e := range links {
		_, n, err := eraseLink(ctx, conn, db, e.link, e.id, time.Now().UTC(), tables, audit)
		if err != nil {
			return total, err
		}
		total += n
	}
	return total, nil
}

func recordErasure(ctx context.Context, conn clickhouse.Conn, db string, e Erasure, reason string, requested time.Time, completed *time.Time) error {
	tables := make([]string, 0, len(e.Tables))
	for _, r := range append(schemas.Tables(), schemas.Resource{Name: webhookEventsTable}) {
		if e.Tables[r.Name] > 0 {
			tables = append(tables, r.Name)
		}
	}
	version := uint64(requested.UnixMicro())
	if completed != nil {
		version = uint64(completed.UnixMicro())
	}
	if err := conn.Exec(ctx, "INSERT INTO "+qualified(db, migrate.ErasuresTable)+
		" (`erasure_id`, `link_id`, `reason`, `requested_at`, `completed_at`, `tables`, `rows_erased`, `version`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		e.ID, e.Link, reason, requested, completed, tables, e.Rows, version); err != nil {
		return fmt.Errorf("record erasure %s of link %s: %w", e.ID, e.Link, err)
	}
	return nil
}

func count(ctx context.Context, conn clickhouse.Conn, db, table, where string, args ...any) (uint64, error) {
	var n uint64
	if err := conn.QueryRow(ctx, "SELECT count() FROM "+qualified(db, table)+" WHERE "+where, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("count rows of %s: %w", table, err)
	}
	return n, nil
}

func qualified(db, table string) string {
	return schemas.QuoteIdent(db) + "." + schemas.QuoteIdent(table)
}

// newID is a random id with prefix: an erasure's, a backfill's.
func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}
