// Package migrate owns the ClickHouse schema of the pipeline: it opens the
// server named by CLICKHOUSE_DSN and applies the migrations of
// schemas/clickhouse/migrations in version order, recording each applied
// version and its checksum in <database>.schema_migrations.
//
// Applying is idempotent: every statement is CREATE ... IF NOT EXISTS or
// CREATE OR REPLACE, so a run that died half-way is finished by the next
// one, and a finished version is skipped. A hand-written migration whose
// text changed after it was applied is refused (write a new version
// instead). The generated migrations (record tables from schemas.Tables(),
// the freshness view over them) are repeatable: when package schemas
// changes them they are applied again, which creates new tables; a column
// added to an existing table still needs a hand-written ALTER, and the
// drift test (table columns against Avro schemas) catches one forgotten.
//
// With a cluster name every statement is emitted ON CLUSTER and every table
// uses the Replicated variant of its engine, as production runs it; the
// record tables come from schemas.Resource.CreateTable(cluster) either way.
//
// The database is the DSN's path (default belvo), so a test run can migrate
// a database of its own. Connections are opened without a database and every
// name is qualified: the database may not exist yet.
package migrate
