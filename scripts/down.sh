#!/usr/bin/env bash
# Stop the local pipeline infrastructure in the reverse order of scripts/up.sh.
# Data survives in .local/ (Kafka log dir, registry database, ClickHouse data).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
S="$ROOT/scripts"
rc=0

# Keep going when one stop fails, so one wedged service does not leave the others running.
if [[ -x "$S/clickhouse.sh" ]]; then
  "$S/clickhouse.sh" stop || rc=1
fi
"$S/registry.sh" stop || rc=1
"$S/kafka.sh" stop || rc=1

echo "down: done"
exit "$rc"
