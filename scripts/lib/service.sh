# shellcheck shell=bash disable=SC2034
# Shared helpers for the local JVM services (scripts/kafka.sh, scripts/registry.sh).
# Sourced, not executed. Callers set ROOT and SVC_NAME (used in messages) and `set -euo pipefail`.
#
# Every service is a single detached JVM whose PID lives in .local/run/<name>.pid.
# A PID alone is not trusted: after a reboot or a crash the number may belong to
# an unrelated process, so liveness also requires the process command line to
# contain a service-specific marker (svc_pid_alive PIDFILE MARKER).

LOCAL_DIR="$ROOT/.local"
RUN_DIR="$LOCAL_DIR/run"
LOG_DIR="$LOCAL_DIR/logs"
CACHE_DIR="$LOCAL_DIR/cache"

# Slow enough not to burn a core on a 2-core box, fast enough that start returns promptly.
SVC_POLL_INTERVAL=${SVC_POLL_INTERVAL:-0.25}

svc_say() { printf '%s: %s\n' "$SVC_NAME" "$*"; }
svc_die() { printf '%s: ERROR: %s\n' "$SVC_NAME" "$*" >&2; exit 1; }

svc_require_java17() {
  command -v java >/dev/null 2>&1 || svc_die "java not found on PATH (JDK 17+ required)"
  local v
  v=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2; exit}')
  if ! [[ "${v%%.*}" =~ ^[0-9]+$ ]] || (( ${v%%.*} < 17 )); then
    svc_die "JDK 17+ required, found java.specification.version=${v:-unknown}"
  fi
}

svc_require_mvn() {
  command -v mvn >/dev/null 2>&1 || svc_die "mvn not found on PATH (Maven 3.8+ required for install)"
}

# Debian's Maven 3.8 emits bare ANSI resets even with -B -q and -Dstyle.color=never;
# strip them so quiet installs print nothing but real messages.
svc_mvn() {
  mvn -q -B -Dstyle.color=never "$@" 2>&1 | sed -u 's/\x1b\[[0-9;]*m//g'
}

# Content hash of the files an install depends on: a changed POM or version must
# trigger a re-install even though the cache directory already exists.
svc_fingerprint() { cat "$@" | sha256sum | cut -c1-16; }

# svc_pid_alive PIDFILE MARKER -> prints the PID and returns 0 if it is our live process.
svc_pid_alive() {
  local pidfile=$1 marker=$2 pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  echo "$pid"
}

# True if something accepts TCP connections on 127.0.0.1:PORT (no client tools needed).
svc_port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

svc_log_tail() {
  local log=$1
  echo "----- last 40 lines of $log -----" >&2
  tail -n 40 "$log" >&2 2>/dev/null || true
  echo "-----" >&2
}

# svc_launch PIDFILE LOG CMD... : start CMD detached from this shell.
# setsid gives it its own session, so closing the terminal or the CI step's
# process group does not take it down; stdin from /dev/null so it never waits on a TTY.
# In a non-interactive shell a background child is not a group leader, so setsid
# execs in place and $! is the JVM's own PID (stop/status then find the marker in it).
svc_launch() {
  local pidfile=$1 log=$2; shift 2
  mkdir -p "$(dirname "$pidfile")" "$(dirname "$log")"
  printf '\n===== %s starting %s =====\n' "$(date -u +%FT%TZ)" "$SVC_NAME" >>"$log"
  nohup setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$pidfile"
}

# svc_wait_ready PIDFILE LOG DEADLINE_S PROBE_FN
# Polls PROBE_FN until it succeeds; fails early (with the log tail) if the process dies.
svc_wait_ready() {
  local pidfile=$1 log=$2 deadline_s=$3 probe=$4
  local start=$SECONDS pid
  pid=$(<"$pidfile")
  while :; do
    # Plain kill -0, not svc_pid_alive: right after the fork the child may not have
    # exec'd java yet, so its command line still lacks the marker. This PID was
    # checked (or launched by us) just before, so it cannot be a stranger.
    # A zombie (our own not-yet-reaped child) counts as dead.
    if ! kill -0 "$pid" 2>/dev/null || [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" == Z ]]; then
      svc_log_tail "$log"
      rm -f "$pidfile"
      svc_die "process exited during startup (see $log)"
    fi
    if "$probe"; then
      return 0
    fi
    if (( SECONDS - start >= deadline_s )); then
      svc_log_tail "$log"
      svc_die "not ready after ${deadline_s}s (still running as PID $pid; see $log)"
    fi
    sleep "$SVC_POLL_INTERVAL"
  done
}

# svc_stop PIDFILE MARKER GRACE_S : SIGTERM, wait, SIGKILL as last resort.
svc_stop() {
  local pidfile=$1 marker=$2 grace_s=$3 pid start
  if ! pid=$(svc_pid_alive "$pidfile" "$marker"); then
    rm -f "$pidfile"
    svc_say "not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    if (( SECONDS - start >= grace_s )); then
      svc_say "PID $pid ignored SIGTERM for ${grace_s}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      # SIGKILL cannot be ignored; the short wait only covers the kernel reaping it.
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      break
    fi
    sleep "$SVC_POLL_INTERVAL"
  done
  rm -f "$pidfile"
  svc_say "stopped (PID $pid, $((SECONDS - start))s)"
}

# svc_rss_mib PID -> resident set size in MiB (for status lines).
svc_rss_mib() {
  awk '/^VmRSS:/ {printf "%d", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"
}
