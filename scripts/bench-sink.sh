#!/usr/bin/env bash
# Side-by-side load benchmark of the sink (prints numbers; asserts nothing
# but that every system loaded every record). One run of
# sink.BenchmarkKafkaToClickHouse produces the same compact transaction
# records once, then loads them, back to back, into three fresh copies of
# the transactions table of the local engine:
#   engine ceiling  the same rows as Native blocks POSTed directly (no Kafka,
#                   no client work): what the engine takes at best;
#   ours            the sink (Kafka -> ClickHouse), default batch settings;
#   peer            ClickHouse decoding the records itself (AvroConfluent from
#                   the same registry), fed their raw values from Kafka (chDB
#                   has no working Kafka table engine; see the benchmark).
# It prints one table: rows/s, fraction of the ceiling, CPU µs per row of the
# benchmark process, the engine and the broker, and the machine.
#
# Settings: BENCH_SINK_RECORDS (1000000), SINK_BATCH_ROWS (100000, ours' and
# the blocks' size), BENCH_PROFILE=1 (a CPU profile of ours' load alone in
# .local/bench/sink.pprof), BENCH_SINK_DECODE=1 (also the per-record decode
# micro-benchmarks of ./sink and ./internal/records).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${SCHEMA_REGISTRY_URL:?run make up first}"
: "${KAFKA_BROKERS:?run make up first}"
: "${CLICKHOUSE_DSN:?run make up first}"
out=.local/bench
mkdir -p "$out"
report="$out/sink-$(date +%Y%m%dT%H%M%S).md"
export BENCH_SINK_REPORT="$root/$report"
if [ "${BENCH_PROFILE:-0}" = 1 ]; then
  export BENCH_SINK_CPUPROFILE="$root/$out/sink.pprof"
fi
BELVO_REQUIRE_SERVICES=1 go test -tags integration -count=1 -timeout 60m -run '^$' \
  -bench '^BenchmarkKafkaToClickHouse$' -benchtime 1x ./sink/ >"$out/sink-bench.log" 2>&1 || {
  echo "benchmark failed; its log:" >&2
  tail -40 "$out/sink-bench.log" >&2
  exit 1
}
cat "$report"
echo
echo "full log: $out/sink-bench.log; table: $report"
if [ -n "${BENCH_SINK_CPUPROFILE:-}" ]; then
  echo "profile of ours: go tool pprof -top $BENCH_SINK_CPUPROFILE"
fi
if [ "${BENCH_SINK_DECODE:-0}" = 1 ]; then
  go test -tags integration -count=1 -run '^$' -bench 'Decode' -benchtime 1x ./sink/ ./internal/records/
fi
