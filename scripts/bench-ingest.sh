#!/usr/bin/env bash
# Load benchmark of ingest (prints numbers; asserts nothing). Runs ingest as
# its own process so its memory is measured alone, first against an
# in-memory Kafka (kfake, in the load generator's process) to isolate our own
# cost, then against the real broker of `make up`. Everything on 127.0.0.1.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${SCHEMA_REGISTRY_URL:?run make up first}"
: "${KAFKA_BROKERS:?run make up first}"
DURATION=${BENCH_DURATION:-10s}
CONNS=${BENCH_CONNS:-64}
mkdir -p .local/logs bin
go build -o bin/loadgen ./cmd/loadgen
[ -x bin/belvo-pipeline ] || go build -o bin/belvo-pipeline ./cmd/belvo-pipeline

pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap cleanup EXIT

wait_ready() {
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:18080/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "ingest did not become ready; log:" >&2; tail -20 .local/logs/bench-ingest.log >&2; return 1
}

run_against() { # label brokers
  local label=$1 brokers=$2
  INGEST_ADDR=127.0.0.1:18080 KAFKA_BROKERS=$brokers TOPIC_PREFIX="bench$RANDOM" TOPIC_PARTITIONS=6 \
    INGEST_DEDUP_WINDOW=10m LOG_LEVEL=warn bin/belvo-pipeline ingest >.local/logs/bench-ingest.log 2>&1 &
  local ingest=$!
  pids+=("$ingest")
  wait_ready
  # Warm-up, not reported: JIT-free Go still needs its pools and the broker its segments.
  bin/loadgen post -c "$CONNS" -d 2s -label warmup >/dev/null
  bin/loadgen post -c "$CONNS" -d "$DURATION" -pid "$ingest" -label "$label max"
  bin/loadgen post -c "$CONNS" -d "$DURATION" -rate 30000 -pid "$ingest" -label "$label 30k/s"
  kill "$ingest"; wait "$ingest" 2>/dev/null || true
}

echo "== ingest benchmark: ${DURATION} per run, ${CONNS} connections, ~600-byte TRANSACTIONS webhooks, $(nproc) cores"
bin/loadgen fake-kafka -addr 127.0.0.1:19092 >.local/logs/bench-kfake.log 2>&1 &
pids+=("$!")
run_against "in-memory kafka" 127.0.0.1:19092
run_against "real kafka" "$KAFKA_BROKERS"
