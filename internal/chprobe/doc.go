// Package chprobe pins the ClickHouse behaviour the Belvo sink relies on, as
// seen through clickhouse-go/v2 (the client production uses) talking to the
// real ClickHouse engine.
//
// The tests are integration tests: they need a server and read its address
// from CLICKHOUSE_DSN, and skip when it is unset. Locally the engine is chDB
// behind scripts/clickhouse/server.py, which speaks ClickHouse's HTTP
// interface:
//
//	scripts/clickhouse.sh install && scripts/clickhouse.sh start
//	CLICKHOUSE_DSN=http://127.0.0.1:8123/belvo go test ./internal/chprobe/ -race -count=1 -v
//
// The DSN scheme selects the transport: http:// (or https:// with secure=true)
// makes clickhouse-go use HTTP; clickhouse:// means the native TCP protocol,
// which the chDB server does not speak.
//
// When one of these tests fails after a client or engine upgrade, the sink's
// assumptions (exact decimals and dates, retry-safe inserts through
// insert_deduplication_token, ReplacingMergeTree collapsing with FINAL) no
// longer hold and the sink must change with them.
package chprobe
