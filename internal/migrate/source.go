package migrate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/finflow/belvo-pipeline/schemas"
	"github.com/finflow/belvo-pipeline/schemas/clickhouse/migrations"
)

// Migration is one version of the schema.
type Migration struct {
	Version int
	Name    string
	// Repeatable migrations are generated from package schemas: a changed
	// checksum means the generator changed, and they are applied again.
	Repeatable bool
	// Checksum identifies the text of the migration independently of the
	// target (database, cluster): it is computed from the local rendering
	// into database belvo, which is also the committed file's text for a
	// generated migration.
	Checksum string
	render   func(Target) (string, error)
}

// Target is where a migration is rendered for.
type Target struct {
	Database string // unquoted
	Cluster  string // empty for a single server
}

// SQL returns the migration's statements for t, in order.
func (m Migration) SQL(t Target) ([]string, error) {
	text, err := m.render(t)
	if err != nil {
		return nil, fmt.Errorf("render migration %04d_%s: %w", m.Version, m.Name, err)
	}
	return SplitStatements(text), nil
}

// Text returns the migration's whole text for t.
func (m Migration) Text(t Target) (string, error) { return m.render(t) }

var templateName = regexp.MustCompile(`^(\d{4})_([a-z0-9_]+)\.sql\.tmpl$`)

// Migrations returns every migration in version order: the generated ones
// (0001 record tables, 0004 freshness view, 0008 lineage) and the
// hand-written templates.
func Migrations() ([]Migration, error) {
	out := []Migration{
		{Version: 1, Name: "record_tables", Repeatable: true, render: func(t Target) (string, error) { return RecordTables(t), nil }},
		{Version: 4, Name: "freshness_view", Repeatable: true, render: func(t Target) (string, error) { return FreshnessView(t), nil }},
		{Version: 8, Name: "lineage", Repeatable: true, render: func(t Target) (string, error) { return Lineage(t), nil }},
	}
	entries, err := fs.ReadDir(migrations.Templates, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		m := templateName.FindStringSubmatch(e.Name())
		if m == nil {
			return nil, fmt.Errorf("migration file %s is not named NNNN_name.sql.tmpl", e.Name())
		}
		b, err := fs.ReadFile(migrations.Templates, e.Name())
		if err != nil {
			return nil, err
		}
		v, _ := strconv.Atoi(m[1])
		text := string(b)
		out = append(out, Migration{Version: v, Name: m[2], render: func(t Target) (string, error) { return renderTemplate(e.Name(), text, t) }})
	}
	slices.SortFunc(out, func(a, b Migration) int { return a.Version - b.Version })
	for i := range out {
		if i > 0 && out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("two migrations have version %04d", out[i].Version)
		}
		canonical, err := out[i].render(Target{Database: schemas.ClickHouseDatabase})
		if err != nil {
			return nil, fmt.Errorf("render migration %04d_%s: %w", out[i].Version, out[i].Name, err)
		}
		sum := sha256.Sum256([]byte(canonical))
		out[i].Checksum = hex.EncodeToString(sum[:])
	}
	return out, nil
}

// GeneratedFiles returns the committed file name and text of each generated
// migration, rendered for database belvo on a single server.
func GeneratedFiles() map[string]string {
	local := Target{Database: schemas.ClickHouseDatabase}
	return map[string]string{
		"0001_record_tables.sql":  RecordTables(local),
		"0004_freshness_view.sql": FreshnessView(local),
		"0008_lineage.sql":        Lineage(local),
	}
}

// RecordTables is migration 0001: the table of every resource and fact,
// exactly as schemas.Resource.CreateTable writes it, moved to t.Database.
func RecordTables(t Target) string {
	var b strings.Builder
	b.WriteString("-- Generated from schemas.Tables() by internal/migrate; do not edit.\n")
	b.WriteString("-- One ReplacingMergeTree(version, is_deleted) table per resource and fact.\n")
	from := schemas.QuoteIdent(schemas.ClickHouseDatabase) + "."
	to := schemas.QuoteIdent(t.Database) + "."
	for _, r := range schemas.Tables() {
		ddl := r.CreateTable(t.Cluster)
		// CreateTable names the production database; only the table's own
		// qualifier is moved, nothing else in the text mentions it.
		head := "CREATE TABLE IF NOT EXISTS " + from
		ddl = "CREATE TABLE IF NOT EXISTS " + to + strings.TrimPrefix(ddl, head)
		b.WriteString("\n" + ddl + ";\n")
		b.WriteString("\n" + r.AddColumns(t.Database, t.Cluster) + ";\n")
	}
	b.WriteString("\n-- Child views: arrays inside records (invoice line items, addresses, ...),\n")
	b.WriteString("-- one row per element, read from the parent's raw JSON (schemas.Child).\n")
	for _, r := range schemas.Resources {
		for _, v := range r.ChildViews(t.Database, t.Cluster) {
			b.WriteString("\n" + v + ";\n")
		}
	}
	return b.String()
}

// FreshnessView is migration 0004: per resource, how long after its webhook
// was first received a fetched record was loaded. It unions every resource
// table, so it is generated with them.
func FreshnessView(t Target) string {
	db := schemas.QuoteIdent(t.Database)
	var b strings.Builder
	b.WriteString("-- Generated from schemas.Resources by internal/migrate; do not edit.\n")
	b.WriteString("-- Seconds from a webhook's first receipt (webhook_events) to each row loaded\n")
	b.WriteString("-- for it, per resource. Physical rows, not FINAL: every load counts.\n\n")
	b.WriteString("CREATE OR REPLACE VIEW " + db + ".`freshness`" + onCluster(t.Cluster) + " AS\n")
	b.WriteString("SELECT\n    r.`resource` AS `resource`,\n    count() AS `rows`,\n")
	b.WriteString("    quantile(0.5)(r.`lag_seconds`) AS `p50_seconds`,\n")
	b.WriteString("    quantile(0.95)(r.`lag_seconds`) AS `p95_seconds`,\n")
	b.WriteString("    quantile(0.99)(r.`lag_seconds`) AS `p99_seconds`,\n")
	b.WriteString("    max(r.`lag_seconds`) AS `max_seconds`,\n")
	b.WriteString("    max(r.`loaded_at`) AS `last_loaded_at`\n")
	b.WriteString("FROM\n(\n    SELECT l.`resource`, l.`loaded_at`, dateDiff('microsecond', w.`received_at`, l.`loaded_at`) / 1e6 AS `lag_seconds`\n")
	b.WriteString("    FROM\n    (\n")
	for i, r := range schemas.Resources {
		if i > 0 {
			b.WriteString("        UNION ALL\n")
		}
		fmt.Fprintf(&b, "        SELECT '%s' AS `resource`, assumeNotNull(`webhook_id`) AS `webhook_id`, `loaded_at` FROM %s.%s WHERE `webhook_id` IS NOT NULL AND `is_deleted` = 0\n",
			r.Name, db, schemas.QuoteIdent(r.Name))
	}
	b.WriteString("    ) AS l\n")
	b.WriteString("    INNER JOIN\n    (\n        SELECT `webhook_id`, min(`received_at`) AS `received_at` FROM " + db + ".`webhook_events` GROUP BY `webhook_id`\n    ) AS w ON l.`webhook_id` = w.`webhook_id`\n")
	b.WriteString(") AS r\nGROUP BY r.`resource`;\n")
	return b.String()
}
