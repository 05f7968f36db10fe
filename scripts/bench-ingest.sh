#!/usr/bin/env bash
# Side-by-side load benchmark of ingest (prints numbers; asserts nothing but
# that Kafka holds every event answered 2xx). On each broker, an in-memory
# Kafka (franz-go's kfake) and the real local one of `make up` (acks=all),
# it runs ours, then Bento (http_server -> kafka_franz, which answers once the
# broker acknowledged), each as its own process under the same load
# generator: 64 connections of unique ~600-byte TRANSACTIONS webhooks, ids
# from a range no other run uses. Everything talks to 127.0.0.1 only and
# every leg is bounded in time.
#
# Settings: BENCH_DURATION (10s a measured leg), BENCH_WARMUP (2s, not
# reported), BENCH_BROKER_WARMUP (20s: the first system's warm-up on the
# real broker, so that no system is measured against a Kafka broker whose
# JVM is still compiling its hot paths, which costs over twice the broker
# CPU per event; every leg's on kfake, each on a fresh one), BENCH_CONNS
# (64), BENCH_BROKERS ("kfake real"), BENCH_SYSTEMS ("ours bento"),
# BENCH_PARTITIONS (6, of ours' topics and Bento's), BENCH_RATE (also a
# fixed-rate leg of ours at that many webhooks/s), BENCH_LOADGENS
# ("loadgen wrk": what sends the load, each over every broker and system;
# wrk, the C load generator the issue's figures came from, is installed
# from Debian's packages when missing and apt-get can),
# BENCH_PROFILE=1 (a CPU profile of ingest during each measured leg, in
# .local/bench/).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${SCHEMA_REGISTRY_URL:?run make up first}"
: "${KAFKA_BROKERS:?run make up first}"
DURATION=${BENCH_DURATION:-10s}
WARMUP=${BENCH_WARMUP:-2s}
BROKER_WARMUP=${BENCH_BROKER_WARMUP:-20s}
CONNS=${BENCH_CONNS:-64}
BROKERS=${BENCH_BROKERS:-kfake real}
SYSTEMS=${BENCH_SYSTEMS:-ours bento}
KFAKE=127.0.0.1:19092
INGEST=127.0.0.1:18080
BENTO_IN=127.0.0.1:18090
BENTO_API=127.0.0.1:18195
out=.local/bench
mkdir -p "$out" .local/logs bin
go build -o bin/loadgen ./cmd/loadgen
go build -o bin/belvo-pipeline ./cmd/belvo-pipeline
case " $SYSTEMS " in *" bento "*) bento=$(scripts/bench-bento.sh) ;; esac

# One name for this run's topics, so they can be counted and deleted.
run="bench$(date +%s)x$RANDOM"
results="$out/ingest-$run.jsonl"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  bin/loadgen topic -brokers "$KAFKA_BROKERS" -delete "$run" >/dev/null 2>&1 || true
}
trap cleanup EXIT

wait_ready() { # url log
  for _ in $(seq 1 600); do
    curl -fsS "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "not ready: $1; log:" >&2
  tail -20 "$2" >&2
  return 1
}

wait_port() { # host:port
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/${1%:*}/${1##*:}") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $1" >&2
  return 1
}

stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }

ours() { # broker broker-name brokers warm-up load-generator
  local b=$1 name=$2 brokers=$3 warmup=$4 tool=$5 log=.local/logs/bench-ingest.log
  INGEST_ADDR=$INGEST KAFKA_BROKERS=$brokers TOPIC_PREFIX="$run" TOPIC_PARTITIONS=${BENCH_PARTITIONS:-6} \
    INGEST_DEDUP_WINDOW=10m INGEST_PPROF=${BENCH_PROFILE:-0} LOG_LEVEL=warn \
    bin/belvo-pipeline ingest >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_ready "http://$INGEST/readyz" "$log"
  bin/loadgen post -url "http://$INGEST/webhooks/belvo" -c "$CONNS" -d "$warmup" -label warmup >/dev/null
  local prof=
  if [ "${BENCH_PROFILE:-0}" = 1 ]; then
    curl -fsS "http://$INGEST/debug/pprof/profile?seconds=$((${DURATION%s} - 1))" -o "$out/ingest-$b-$tool.pprof" &
    prof=$!
  fi
  bin/loadgen post -tool "$tool" -url "http://$INGEST/webhooks/belvo" -c "$CONNS" -d "$DURATION" -pid "$pid" -broker-pid "$broker_pid" \
    -brokers "$brokers" -topics "$run.webhooks." -system ours -broker "$name" -label "ours, $name" -out "$results"
  [ -z "$prof" ] || { wait "$prof" && echo "profile: go tool pprof bin/belvo-pipeline $out/ingest-$b-$tool.pprof"; }
  if [ -n "${BENCH_RATE:-}" ]; then
    bin/loadgen post -url "http://$INGEST/webhooks/belvo" -c "$CONNS" -d "$DURATION" -rate "$BENCH_RATE" -pid "$pid" \
      -brokers "$brokers" -topics "$run.webhooks." -label "ours, $name, $BENCH_RATE/s"
  fi
  stop "$pid"
}

bento() { # broker broker-name brokers warm-up load-generator
  local b=$1 name=$2 brokers=$3 warmup=$4 tool=$5 topic="$run.bento.$1.$5" log=.local/logs/bench-bento.log
  bin/loadgen topic -brokers "$brokers" -topic "$topic" -partitions "${BENCH_PARTITIONS:-6}"
  # Bento's defaults but two, both in its favour or neutral: as many
  # batches in flight as there are connections (the default 10 would cap
  # it below 64 waiting requests), and no compression, as ours sends.
  cat >"$out/bento.yaml" <<EOF
http:
  address: $BENTO_API
input:
  http_server:
    address: $BENTO_IN
    path: /webhooks/belvo
    allowed_verbs: [POST]
output:
  kafka_franz:
    seed_brokers: [$brokers]
    topic: $topic
    max_in_flight: $CONNS
    compression: none
logger:
  level: WARN
EOF
  "$bento" -c "$out/bento.yaml" >"$log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  wait_ready "http://$BENTO_API/ready" "$log"
  bin/loadgen post -url "http://$BENTO_IN/webhooks/belvo" -c "$CONNS" -d "$warmup" -label warmup >/dev/null
  bin/loadgen post -tool "$tool" -url "http://$BENTO_IN/webhooks/belvo" -c "$CONNS" -d "$DURATION" -pid "$pid" -broker-pid "$broker_pid" \
    -brokers "$brokers" -topics "$topic" -system "Bento $BENTO_VERSION" -broker "$name" -label "Bento, $name" -out "$results"
  stop "$pid"
}

LOADGENS=${BENCH_LOADGENS:-loadgen wrk}
case " $LOADGENS " in
  *" wrk "*)
    if ! command -v wrk >/dev/null; then
      if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get install -y -qq wrk >.local/logs/bench-wrk-install.log 2>&1 || true
      fi
      command -v wrk >/dev/null || {
        echo "wrk is not installed (Debian: apt-get install wrk); measuring with loadgen only" >&2
        LOADGENS=${LOADGENS//wrk/}
      }
    fi ;;
esac
BENTO_VERSION=${BENTO_VERSION:-v1.2.0}
echo "== ingest side by side: $DURATION a leg after $WARMUP of warm-up ($BROKER_WARMUP for the first on a broker), $CONNS connections, ~600-byte webhooks, load from: $LOADGENS; topics $run*"
echo "   machine: $(nproc) cores, $(go version | cut -d' ' -f3); $(uptime)"
for b in $BROKERS; do
  case $b in
    kfake) brokers=$KFAKE name="kfake (in-memory)" ;;
    real) brokers=$KAFKA_BROKERS name="local Kafka, acks=all" broker_pid=$(cat .local/run/kafka.pid 2>/dev/null || echo 0) ;;
    *) echo "unknown broker $b (kfake or real)" >&2; exit 2 ;;
  esac
  warmup=$BROKER_WARMUP
  for tool in $LOADGENS; do
    label=$name
    [ "$tool" = loadgen ] || label="$name, $tool"
    for s in $SYSTEMS; do
      # Every leg on kfake gets a fresh one and the first leg's warm-up:
      # kfake keeps every record in memory, so a later leg met a broker
      # holding the earlier legs' records, and in a fresh kfake's first
      # tens of seconds p99 reached 15-100 ms, ours' or Bento's (not on
      # the real broker; docs/benchmarks.md). The same broker state and
      # warm-up for each system.
      if [ "$b" = kfake ]; then
        bin/loadgen fake-kafka -addr "$KFAKE" >.local/logs/bench-kfake.log 2>&1 &
        kf=$!
        broker_pid=$kf
        pids+=("$kf")
        wait_port "$KFAKE"
        warmup=$BROKER_WARMUP
      fi
      "$s" "$b" "$label" "$brokers" "$warmup" "$tool"
      warmup=$WARMUP
      [ "$b" != kfake ] || stop "$kf"
    done
  done
done
bin/loadgen table -in "$results"
echo "results: $results; after: $(uptime)"
