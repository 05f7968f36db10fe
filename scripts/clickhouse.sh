#!/usr/bin/env bash
# Local ClickHouse for tests and the demo: the real engine (chDB, from PyPI)
# behind ClickHouse's HTTP interface on 127.0.0.1 (scripts/clickhouse/server.py).
# No clickhouse-server binary is installable here, so this is the engine we run.
#
#   scripts/clickhouse.sh install   create .local/venv with the pinned engine
#   scripts/clickhouse.sh start     start detached (installs first if needed); harmless if running
#   scripts/clickhouse.sh stop      SIGTERM, then SIGKILL after CLICKHOUSE_STOP_TIMEOUT seconds
#   scripts/clickhouse.sh restart   stop, then start; only a server this checkout started
#   scripts/clickhouse.sh status    exit 0 if serving, 3 if not
#
# Clients connect with CLICKHOUSE_DSN=http://127.0.0.1:8123/belvo: the http://
# scheme is what makes clickhouse-go use HTTP (clickhouse:// would be native TCP).
#
# Environment: CLICKHOUSE_PORT (8123), CLICKHOUSE_DATA (.local/clickhouse/data),
# CLICKHOUSE_START_TIMEOUT (90 s), CLICKHOUSE_STOP_TIMEOUT (30 s), PYTHON (python3.11).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LOCAL="$ROOT/.local"
VENV="$LOCAL/venv"
PORT="${CLICKHOUSE_PORT:-8123}"
DATA="${CLICKHOUSE_DATA:-$LOCAL/clickhouse/data}"
LOG="$LOCAL/logs/clickhouse.log"
PIDFILE="$LOCAL/run/clickhouse.pid"
START_TIMEOUT="${CLICKHOUSE_START_TIMEOUT:-90}"
STOP_TIMEOUT="${CLICKHOUSE_STOP_TIMEOUT:-30}"
SERVER="$ROOT/scripts/clickhouse/server.py"

# chdb 4.4.0 is the Python wrapper, chdb-core 26.9.0 carries the engine
# (SELECT version() = 26.9.2.1). The rest are pinned so a reinstall next month
# gets the same bytes; brotli lets clients use compress=br.
PINS=(
  chdb==4.4.0
  chdb-core==26.9.0
  numpy==2.4.6
  pandas==3.1.1
  pyarrow==26.0.1
  python-dateutil==4.0.0
  tzdata==2026.6
  brotli==1.2.1
)

say() { echo "clickhouse: $*" >&2; }

# kill -0 also succeeds for a zombie, which is what a server that died while
# this script waits for it is until the script exits.
alive() {
  kill -0 "$1" 2>/dev/null && [[ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" != Z ]]
}
die() { say "$*"; exit 1; }

pick_python() {
  local p
  for p in "${PYTHON:-}" python3.11 python3; do
    [[ -n "$p" ]] || continue
    if command -v "$p" >/dev/null 2>&1 &&
      "$p" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$p"
      return
    fi
  done
  die "need Python >= 3.11 (set PYTHON=...)"
}

installed() {
  [[ -x "$VENV/bin/python" && -f "$VENV/.clickhouse-pins" ]] &&
    [[ "$(cat "$VENV/.clickhouse-pins")" == "${PINS[*]}" ]]
}

cmd_install() {
  if installed; then
    say "engine already installed in $VENV ($(engine_version))"
    return
  fi
  local py
  py="$(pick_python)"
  mkdir -p "$LOCAL"
  [[ -x "$VENV/bin/python" ]] || "$py" -m venv "$VENV"
  say "installing ${PINS[*]} into $VENV (about 900 MB, first time only)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${PINS[@]}"
  printf '%s' "${PINS[*]}" >"$VENV/.clickhouse-pins"
  say "installed: $(engine_version)"
}

engine_version() {
  "$VENV/bin/python" - <<'EOF'
import chdb, chdb.state
c = chdb.state.connect(":memory:")
v = bytes(c.query("SELECT version()", "TabSeparated").bytes()).decode().strip()
c.close()
print(f"chdb {chdb.__version__}, engine {v}")
EOF
}

ping() {
  if command -v curl >/dev/null 2>&1; then
    [[ "$(curl -fsS --max-time 2 "http://127.0.0.1:$PORT/ping" 2>/dev/null)" == "Ok." ]]
  else
    "$VENV/bin/python" -c "
import sys, urllib.request
try:
    sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:$PORT/ping', timeout=2).read() == b'Ok.\n' else 1)
except Exception:
    sys.exit(1)"
  fi
}

# The PID file only counts if that PID is still our server: after a reboot or
# a crash the number may belong to something else, which stop must not kill.
running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  alive "$pid" || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "scripts/clickhouse/server.py" || return 1
  echo "$pid"
}

cmd_start() {
  local pid started=false
  if pid="$(running_pid)"; then
    if ping; then
      say "already running (pid $pid) on http://127.0.0.1:$PORT"
      return
    fi
    say "pid $pid exists but does not answer yet; waiting for it"
  else
    if ping; then
      # Another checkout's server (or one left by an earlier session): the
      # tests use databases of their own, so reuse it rather than fail. Still
      # install the engine here: tests start engines of their own from this
      # checkout's venv (the sink's outage test).
      installed || cmd_install
      say "reusing the server already answering on http://127.0.0.1:$PORT (not started here)"
      return
    fi
    installed || cmd_install
    mkdir -p "$(dirname "$LOG")" "$(dirname "$PIDFILE")" "$DATA"
    echo "--- $(date -u +%FT%TZ) start port=$PORT data=$DATA" >>"$LOG"
    # setsid: the server must outlive the shell (and its process group) that started it.
    setsid nohup "$VENV/bin/python" "$SERVER" --port "$PORT" --data "$DATA" >>"$LOG" 2>&1 </dev/null &
    pid=$!
    echo "$pid" >"$PIDFILE"
    started=true
  fi

  local deadline=$((SECONDS + START_TIMEOUT))
  until ping; do
    if ! alive "$pid"; then
      rm -f "$PIDFILE"
      say "server exited during startup; last lines of $LOG:"
      tail -n 30 "$LOG" >&2
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      say "no answer on http://127.0.0.1:$PORT/ping after ${START_TIMEOUT}s; last lines of $LOG:"
      tail -n 30 "$LOG" >&2
      # A failed start leaves nothing behind that a later start would mistake for a server.
      if $started; then
        cmd_stop
      fi
      exit 1
    fi
    sleep 0.2
  done
  say "running (pid $pid) on http://127.0.0.1:$PORT, data $DATA, log $LOG"
}

cmd_stop() {
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PIDFILE"
    say "not running"
    return
  fi
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while alive "$pid"; do
    if ((SECONDS >= deadline)); then
      say "pid $pid still alive after ${STOP_TIMEOUT}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  while alive "$pid"; do sleep 0.1; done
  rm -f "$PIDFILE"
  say "stopped (pid $pid)"
}

# Restart only a server this checkout started: one that is merely reused
# (another checkout's) would keep running while the caller believes it
# restarted (the chaos suite counts on the outage being real).
cmd_restart() {
  running_pid >/dev/null || die "no server of this checkout is running (no live $PIDFILE); restart stops only a server it started"
  cmd_stop
  cmd_start
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && ping; then
    say "running (pid $pid) on http://127.0.0.1:$PORT, data $DATA"
    return 0
  fi
  if [[ -n "${pid:-}" ]]; then
    say "pid $pid is alive but does not answer on http://127.0.0.1:$PORT/ping"
  else
    say "not running"
  fi
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_restart ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 install|start|stop|restart|status" >&2
    exit 2
    ;;
esac
