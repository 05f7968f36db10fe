#!/usr/bin/env bash
# Every benchmark in one run, summed up in ONE markdown table headed by the
# machine (issue 13 item 6). Each piece keeps its own script or go test
# invocation and its full output goes to a log in .local/bench/; this script
# only reads their headline numbers back: the ingest jsonl, the sink's report
# table, the `go test -bench` result lines (value then unit). A piece that
# fails is shown as failed in the table and the run goes on, so one broken
# stage does not hide the others' figures; the exit status is then 1.
#
# Settings: BENCH_PIECES ("ingest sink freshness fetcher belvo"),
# BENCH_FETCHER_BENCHTIME (5x), BENCH_BELVO_BENCHTIME (3x),
# BENCH_SETTLE_IDLE (85: the idle % of the host each piece waits for, at
# most BENCH_SETTLE_MAX seconds, 60), and every
# setting of the pieces themselves (BENCH_DURATION, BENCH_WARMUP,
# BENCH_SINK_RECORDS, FRESH_SECONDS, FRESH_BURST_RECORDS, ...), passed on.
# A short smoke run:
#   BENCH_DURATION=3s BENCH_WARMUP=1s BENCH_SINK_RECORDS=50000 FRESH_SECONDS=5 \
#   FRESH_BURST_RECORDS=3000 BENCH_FETCHER_BENCHTIME=1x BENCH_BELVO_BENCHTIME=1x scripts/bench.sh
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${SCHEMA_REGISTRY_URL:?run make up first}"
: "${KAFKA_BROKERS:?run make up first}"
: "${CLICKHOUSE_DSN:?run make up first}"
command -v jq >/dev/null || { echo "bench: jq is needed to read the ingest results" >&2; exit 2; }
GO=${GO:-go}
PIECES=${BENCH_PIECES:-ingest sink freshness fetcher belvo}
out=.local/bench
mkdir -p "$out"
$GO build -o bin/loadgen ./cmd/loadgen || exit 1 # settle's idle share
stamp=$(date -u +%Y%m%dT%H%M%SZ)
summary="$out/summary-$stamp.md"
failed=0

# The machine, before anything runs: the figures mean little without it.
cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
ram=$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)
gover=$($GO env GOVERSION)
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || rev="$rev (with uncommitted changes)"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%Y-%m-%d %H:%M UTC')

# The settings that shape the figures (a short smoke run must not pass for
# a real one).
settings=$(env | grep -E '^(BENCH|FRESH|SINK|INGEST|FETCHER|GOGC|GOMAXPROCS)[A-Z_]*=' | grep -vE '^[^=]*(PASSWORD|SECRET|TOKEN|KEY)' | sort | paste -sd' ')
missing=() # headline numbers a piece that succeeded did not print
rows=() # markdown rows: stage | measure | ours | peer | ratio/fraction | target | met?
row() { rows+=("| $1 | $2 | $3 | $4 | $5 | $6 | $7 |"); }
# met VALUE OP LIMIT: yes/no, or "-" when the value is missing.
met() {
  case $1 in '' | - | null) echo -; return ;; esac
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN {
    ok = (op == ">=") ? v >= l : (op == "<=") ? v <= l : (op == "<") ? v < l : (op == "==") ? v == l : 0
    print ok ? "yes" : "**no**" }'
}
num() { # VALUE [DECIMALS]: thousands separators, "-" when missing
  case $1 in '' | - | null) echo -; return ;; esac
  LC_ALL=C awk -v v="$1" -v d="${2:-0}" 'BEGIN {
    s = sprintf("%." d "f", v); neg = s ~ /^-/; sub(/^-/, "", s)
    i = s; f = ""; if (index(s, ".")) { i = substr(s, 1, index(s, ".") - 1); f = substr(s, index(s, ".")) }
    while (length(i) > 3) { f = "," substr(i, length(i) - 2) f; i = substr(i, 1, length(i) - 3) }
    print (neg ? "-" : "") i f }'
}
ratio() { # A B: A/B to two decimals, "-" when either is missing or B is 0
  case "$1$2" in *null* | *-*) echo -; return ;; esac
  [ -n "$1" ] && [ -n "$2" ] || { echo -; return; }
  awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 == 0) print "-"; else printf "%.2f\n", a / b }'
}
# need PIECE WHAT VALUE: remembers VALUE as missing when it is empty, so a
# piece whose output changed shape does not pass as a run without figures.
# Called outside $(...): it sets this shell's variables.
need() {
  case $3 in '' | - | null) missing+=("$1: $2"); failed=1 ;; esac
}
# metric LOG NAME-REGEXP UNIT: the value a `go test -bench` result line
# reports before UNIT, for the first benchmark whose name matches.
metric() {
  awk -v re="$2" -v unit="$3" '$1 ~ /^Benchmark/ && $1 ~ re {
    for (i = 3; i <= NF; i++) if ($i == unit) { print $(i - 1); exit } }' "$1"
}
# run NAME COMMAND...: the piece's whole output into its log; 1 if it failed.
run() {
  local name=$1 log="$out/$1-$stamp.log"
  shift
  echo "== $name: $* (log: $log)"
  if "$@" >"$log" 2>&1; then return 0; fi
  echo "   $name failed; the end of its log:" >&2
  tail -15 "$log" >&2
  failed=1
  return 1
}

ingest() {
  local log="$out/ingest-$stamp.log" results
  if ! run ingest scripts/bench-ingest.sh; then
    row ingest "failed: see $log" - - - - -
    return
  fi
  results=$(sed -n 's/^results: \([^;]*\);.*/\1/p' "$log" | tail -1)
  if [ ! -f "$results" ]; then
    row ingest "no results file named in $log" - - - - -
    failed=1
    return
  fi
  # One measured leg per system and broker; the fixed-rate leg carries no
  # -system and is left out.
  local brokers
  brokers=$(jq -r 'select(.system != null and .system != "") | .broker' "$results" | awk '!seen[$0]++')
  while IFS= read -r b; do
    [ -n "$b" ] || continue
    local o p ob pb
    o=$(jq -c --arg b "$b" 'select(.broker == $b and .system == "ours")' "$results" | tail -1)
    p=$(jq -c --arg b "$b" 'select(.broker == $b and (.system | startswith("Bento")))' "$results" | tail -1)
    [ -n "$o" ] || o='{}'
    [ -n "$p" ] || p='{}'
    ob=$(jq -r '.rate' <<<"$o")
    need ingest "rate of ours on $b" "$ob"
    pb=$(jq -r '.rate' <<<"$p")
    local r
    r=$(ratio "$ob" "$pb")
    row "ingest, $b" "2xx/s ($(jq -r '.system // "peer"' <<<"$p") as peer)" "$(num "$ob")" "$(num "$pb")" "$r×" "≥ 2.0×" "$(met "$r" ">=" 2)"
    local op99 pp99
    op99=$(jq -r '.p99_ms' <<<"$o")
    pp99=$(jq -r '.p99_ms' <<<"$p")
    row "ingest, $b" "p99 ms" "$(num "$op99" 1)" "$(num "$pp99" 1)" - "≤ 10" "$(met "$op99" "<=" 10)"
    local onok pnok
    onok=$(jq -r '.not_ok' <<<"$o")
    pnok=$(jq -r '.not_ok' <<<"$p")
    row "ingest, $b" "non-2xx answers" "$onok" "$pnok" - "0" "$(met "$onok" "==" 0)"
    # Every event answered 2xx must be in Kafka: the load generator counts
    # the topics after the leg.
    local lost
    # wrk does not count the requests in flight at its deadline, whose events
    # Kafka may hold: more events than 2xx is no loss.
    local missing='if .ok == null or .events == null then "-" else ([.ok - .events, 0] | max) end'
    lost=$(jq -r "$missing" <<<"$o")
    row "ingest, $b" "2xx events missing from Kafka" "$lost" "$(jq -r "$missing" <<<"$p")" - "0" "$(met "$lost" "<=" 0)"
    local orss prss
    orss=$(jq -r 'if .peak_rss_kb then .peak_rss_kb / 1024 else "-" end' <<<"$o")
    prss=$(jq -r 'if .peak_rss_kb then .peak_rss_kb / 1024 else "-" end' <<<"$p")
    row "ingest, $b" "peak RSS MiB (at max load)" "$(num "$orss")" "$(num "$prss")" - "< 100 MB" "$(met "$orss" "<" 95.37)"
    row "ingest, $b" "CPU µs per 2xx" "$(num "$(jq -r '.cpu_us_per_2xx' <<<"$o")" 1)" "$(num "$(jq -r '.cpu_us_per_2xx' <<<"$p")" 1)" - - -
    # What the receiver shares the host with, per 2xx of its leg: the rate
    # of either is bounded by all of it (docs/benchmarks.md).
    local k what
    for k in loadgen:"load generator" broker:broker host:"whole host, every process"; do
      what=${k#*:}
      k=${k%%:*}_cpu_us_per_2xx
      row "ingest, $b" "CPU µs per 2xx, $what" "$(num "$(jq -r ".$k" <<<"$o")" 1)" "$(num "$(jq -r ".$k" <<<"$p")" 1)" - - -
    done
    row "ingest, $b" "host CPU idle %" "$(num "$(jq -r '.host_idle_pct' <<<"$o")" 1)" "$(num "$(jq -r '.host_idle_pct' <<<"$p")" 1)" - - -
  done <<<"$brokers"
}

sink() {
  local log="$out/sink-$stamp.log" report
  if ! run sink scripts/bench-sink.sh; then
    row sink "failed: see $log" - - - - -
    return
  fi
  report=$(sed -n 's/.*; table: \(.*\)$/\1/p' "$log" | tail -1)
  if [ ! -f "$report" ]; then
    row sink "no report named in $log" - - - - -
    failed=1
    return
  fi
  # The report's table is read by its header's names, not positions, so a
  # column added there does not shift these.
  local cells
  cells=$(awk -F'|' '
    function trim(s) { gsub(/^[ \t]+|[ \t]+$/, "", s); return s }
    /^\| *system *\|/ { for (i = 2; i < NF; i++) col[trim($i)] = i; next }
    /^\|/ && ("system" in col) {
      sys = trim($col["system"])
      who = sys ~ /^engine ceiling/ ? "ceiling" : sys ~ /^ours/ ? "ours" : sys ~ /^peer/ ? "peer" : ""
      if (who == "") next
      printf "%s %s %s %s %s\n", who, trim($col["rows/s"]), trim($col["of ceiling"]),
        trim($col["CPU µs/row: this process"]), trim($col["total"])
    }' "$report")
  local c o p
  c=$(awk '$1 == "ceiling"' <<<"$cells")
  o=$(awk '$1 == "ours"' <<<"$cells")
  p=$(awk '$1 == "peer"' <<<"$cells")
  f() { awk -v i="$2" '{print $i}' <<<"$1"; }
  local orate prate
  orate=$(f "$o" 2)
  need sink "rows/s of ours" "$orate"
  prate=$(f "$p" 2)
  row sink "engine ceiling rows/s (Native blocks, no Kafka)" "$(num "$(f "$c" 2)")" - - - -
  row sink "rows/s, Kafka → ClickHouse (peer: engine decodes AvroConfluent)" "$(num "$orate")" "$(num "$prate")" "$(ratio "$orate" "$prate")× peer" "≥ 150,000" "$(met "$orate" ">=" 150000)"
  row sink "fraction of the engine ceiling" "$(f "$o" 3)" "$(f "$p" 3)" - - -
  row sink "CPU µs/row, benchmark process" "$(f "$o" 4)" "$(f "$p" 4)" - - -
  row sink "CPU µs/row, process + engine + broker" "$(f "$o" 5)" "$(f "$p" 5)" - - -
}

freshness() {
  local log="$out/freshness-$stamp.log"
  if ! run freshness scripts/bench-freshness.sh; then
    row freshness "failed: see $log" - - - - -
    return
  fi
  local s b n w
  s=$(metric "$log" '^BenchmarkFreshness' steady-p99-s)
  b=$(metric "$log" '^BenchmarkFreshness' burst-p99-s)
  n=$(metric "$log" '^BenchmarkFreshness' newtype-max-s)
  need freshness steady-p99-s "$s"
  need freshness burst-p99-s "$b"
  need freshness newtype-max-s "$n"
  w=$(sed -n 's/.*worst resource p99 \([0-9.]*\)s.*/\1/p' "$log" | tail -1)
  row freshness "steady p99 s, received → loaded (FRESH_RATE ${FRESH_RATE:-54} webhooks/s)" "$(num "$s" 2)" - - "≤ 2" "$(met "$s" "<=" 2)"
  row freshness "burst p99 s (~$(num "${FRESH_BURST_RECORDS:-30000}") records at once)" "$(num "$b" 2)" - - "≤ 8" "$(met "$b" "<=" 8)"
  row freshness "new webhook type: received → loaded, s" "$(num "$n" 2)" - - "fetched ≤ 2" "$(met "$n" "<=" 2)"
  row freshness "freshness view, worst resource p99 s" "$(num "$w" 2)" - - - -
}

fetcher() {
  local log="$out/fetcher-$stamp.log"
  if ! run fetcher nice -n 5 "$GO" test -tags integration -count=1 -timeout 30m -run '^$' \
    -bench '^BenchmarkFetcherEndToEnd$' -benchtime "${BENCH_FETCHER_BENCHTIME:-5x}" ./fetcher/; then
    row fetcher "failed: see $log" - - - - -
    return
  fi
  local name v cpu
  # Every sub-benchmark the log holds, in its order (workers and compression).
  while IFS= read -r name; do
    local re="^${name//\//\\/}(-[0-9]+)?\$"
    v=$(metric "$log" "$re" records/s)
    need fetcher "records/s of $name" "$v"
    cpu=$(metric "$log" "$re" µs-cpu-fetcher+emulator/record)
    local w=${name#*workers=}
    w=${w%%/*}
    local c=${name##*compression=}
    if [ "$c" = lz4 ]; then
      row fetcher "records/s end to end, $w worker(s), $c (CPU $(num "$cpu" 1) µs/record)" "$(num "$v")" - - "≥ 50,000" "$(met "$v" ">=" 50000)"
    else
      # The target is the default's (lz4): this run shows what the
      # compression saves, the broker writing every byte uncompressed.
      local broker
      broker=$(metric "$log" "$re" µs-cpu-broker/record)
      row fetcher "records/s end to end, $w worker(s), $c, not the default (CPU $(num "$cpu" 1) µs/record, broker $(num "$broker" 1))" "$(num "$v")" - - - -
    fi
  done < <(awk '$1 ~ /^BenchmarkFetcherEndToEnd\// { n = $1; sub(/-[0-9]+$/, "", n); print n }' "$log")
  grep -q '^BenchmarkFetcherEndToEnd/' "$log" || need fetcher "any BenchmarkFetcherEndToEnd result" ""
}

belvo() {
  local log="$out/belvo-$stamp.log"
  if ! run belvo nice -n 5 "$GO" test -count=1 -run '^$' -bench . -benchtime "${BENCH_BELVO_BENCHTIME:-3x}" ./internal/belvo/; then
    row "Belvo client" "failed: see $log" - - - - -
    return
  fi
  local name v
  while IFS= read -r name; do
    v=$(metric "$log" "^${name//\//\\/}(-[0-9]+)?\$" records/s)
    [ -n "$v" ] && row "Belvo client" "records/s, ${name#Benchmark}" "$(num "$v")" - - - -
  done < <(awk '$1 ~ /^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); print n }' "$log")
  v=$(metric "$log" '^BenchmarkRateLimitObserved' req/s)
  local l
  l=$(metric "$log" '^BenchmarkRateLimitObserved' limit-req/s)
  [ -z "$v" ] || row "Belvo client" "observed req/s under the rate limit" "$(num "$v" 2)" - - "≤ $(num "$l" 2)" "$(met "$v" "<=" "$l")"
}

# settle: waits until the host is idle, so that no piece is measured beside
# the tail of the one before (a broker deleting the ingest legs' topics, an
# engine merging parts), and records what each piece started on: a slow
# figure on an idle start is the host's speed, not the previous piece.
# The host's idle share is counted as in the ingest legs' host_idle_pct.
settled=()
settle() {
  local want=${BENCH_SETTLE_IDLE:-85} max=${BENCH_SETTLE_MAX:-60} waited=0 idle next
  idle=$(bin/loadgen idle -for 2s) || { settled+=("$1 (host idle unknown)"); return; }
  while [ "$idle" -lt "$want" ] && [ "$waited" -lt "$max" ]; do
    next=$(bin/loadgen idle -for 2s) || break
    idle=$next
    waited=$((waited + 2))
  done
  settled+=("$1 ${idle}% idle after ${waited}s")
}

for p in $PIECES; do
  case $p in
    ingest | sink | freshness | fetcher | belvo) settle "$p"; "$p" ;;
    *) echo "bench: unknown piece $p (ingest sink freshness fetcher belvo)" >&2; exit 2 ;;
  esac
done

{
  # No heading of its own: the block is pasted under the README's.
  echo "One run of \`make bench\`, $started."
  echo
  echo "Machine: $cores cores ($cpu), $ram RAM, $gover, revision $rev;"
  echo "load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after. Pieces: $PIECES."
  echo "Settings: ${settings:-the defaults of every piece}."
  echo "Host before each piece (${BENCH_SETTLE_IDLE:-85}% idle awaited, ${BENCH_SETTLE_MAX:-60}s at most): $(printf '%s, ' "${settled[@]}" | sed 's/, $//')."
  echo
  echo "| stage | measure | ours | peer | ratio/fraction | target | met? |"
  echo "|---|---|---|---|---|---|---|"
  printf '%s\n' "${rows[@]}"
  echo
  if [ ${#missing[@]} -gt 0 ]; then
    echo "**Missing** (the piece ran but its output no longer holds these; see its log):"
    printf -- '- %s\n' "${missing[@]}"
    echo
  fi
  echo "Each piece's full output: $out/*-$stamp.log on the machine that ran it. One run on a shared machine: compare rows of one run, not runs."
} | tee "$summary"
echo
echo "summary: $summary"
exit "$failed"
