#!/usr/bin/env bash
# Freshness benchmark (prints numbers; asserts only that every phase's
# webhooks were acknowledged and left rows): the roles of `run` with the
# Belvo emulator, on the local Kafka, registry and ClickHouse of `make up`,
# with topics, consumer groups and a database no other run uses (dropped at
# the end). Three phases, the pipeline settling between them:
#   steady    FRESH_RATE webhooks/s (default 54, about 5,000 records/s) for
#             FRESH_SECONDS (default 30);
#   burst     about FRESH_BURST_RECORDS records (default 30000) of webhooks at once;
#   new type  one webhook of FRESH_NEW_TYPE (default OWNERS), a type the
#             loads skipped, so its topic was empty until then.
# For each: p50/p99/max seconds from the webhook's receipt (webhook_events)
# to its rows loaded, the part up to the fetch, and records/s; then the
# freshness view's worst p99 over the whole run.
#
# Every setting of the roles is read from the environment with run's
# defaults, so a tuning is tried as e.g.
#   SINK_FLUSH_INTERVAL=200ms make bench-freshness
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
: "${KAFKA_BROKERS:?run make up first}"
: "${SCHEMA_REGISTRY_URL:?run make up first}"
: "${CLICKHOUSE_DSN:?run make up first}"
# Loopback only: the bench creates topics and a database, and deletes them.
for v in "$KAFKA_BROKERS" "$SCHEMA_REGISTRY_URL" "$CLICKHOUSE_DSN"; do
  case "$v" in
    *127.0.0.1*|*localhost*) ;;
    *) echo "bench-freshness: $v is not on 127.0.0.1; refusing" >&2; exit 2 ;;
  esac
done
GO=${GO:-go}
BELVO_REQUIRE_SERVICES=1 exec nice -n 5 timeout 20m "$GO" test -tags integration -count=1 -timeout 19m \
  -run '^$' -bench '^BenchmarkFreshness$' -benchtime 1x ./cmd/internal/pipeline/
