// Package migrations holds the ClickHouse schema history that `belvo-pipeline
// migrate` applies, in version order (internal/migrate reads it).
//
// Two kinds of file live here:
//   - NNNN_name.sql.tmpl: hand-written, frozen once released (their checksum
//     is recorded; an edited applied migration is refused). They are Go
//     text/templates so one file serves a single server and a cluster; see
//     internal/migrate for the functions they may call.
//   - NNNN_name.sql: generated from package schemas (the record tables and
//     the freshness view that unions them). They are committed for review
//     and kept equal to the generator by a golden test; migrate renders them
//     from schemas at run time and re-applies them when they change, which
//     is safe because every statement in them is idempotent.
package migrations

import "embed"

// Templates are the hand-written migrations.
//
//go:embed *.sql.tmpl
var Templates embed.FS
