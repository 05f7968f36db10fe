#!/usr/bin/env bash
# Local schema registry speaking the Confluent Schema Registry REST API, for development and CI.
# It is Apicurio Registry 2.4.2.Final on H2 storage in a file under .local/registry/, so
# schema ids survive a restart exactly as the Kafka log dir beside it does: messages already
# on Kafka carry those ids (an in-memory registry restarted empty would hand the same ids to
# other schemas, and old messages would decode as garbage). REGISTRY_DATA_DIR moves it;
# wiping .local/kafka without it (or the reverse) is the one way to get that mismatch.
# re-packaged from Maven Central by scripts/registry/pom.xml (see there for why this version).
#
#   scripts/registry.sh install   build the runnable app from Maven Central artifacts (cached)
#   scripts/registry.sh start     start detached, return when the Confluent API answers
#   scripts/registry.sh stop      SIGTERM, wait, SIGKILL after a deadline
#   scripts/registry.sh status    exit 0 if running, 3 if not
#
# Env: REGISTRY_PORT (8081), REGISTRY_HEAP_OPTS, REGISTRY_START_TIMEOUT (90),
#      REGISTRY_COMPATIBILITY (BACKWARD; NONE/FORWARD/FULL/..._TRANSITIVE).
#
# Confluent-compatible base URL: http://127.0.0.1:8081/apis/ccompat/v7
# (the Apicurio-native API is /apis/registry/v2, the UI /ui, health /health/ready).
#
# Behaviour of the ccompat API as measured against this build (November 2026):
# - Schema ids are content ids, like Confluent's: the same schema registered under two
#   subjects gets the same id, and re-registering an existing schema in a subject returns
#   the existing id without a new version.
# - Canonical-hash mode (registry.ccompat.use-canonical-hash) must stay OFF: in this build its
#   "canonical form" sorts record fields by name, and every read then returns a schema whose
#   field order differs from the writer's, so Avro binary decodes as garbage (measured: a
#   consumer decoding through GET /schemas/ids/{id} failed on the first union). Without it,
#   Apicurio compares raw text: re-registering the same text returns the same id, while a
#   whitespace or key-order change makes a new version. Producers register the schema text
#   committed in schemas/, so that is what we want.
# - Both application/vnd.schemaregistry.v1+json and application/json request bodies work;
#   "references":[] and ?normalize=true are accepted; no Apicurio headers or groups are needed.
#   "schemaType" is effectively ignored: the type is detected from the content (Avro,
#   including primitives like "string", is detected; {"type":"object"} with JSON fails 42201).
#   Subjects are plain strings (TopicNameStrategy "<topic>-value" works as is).
# - Apicurio's own default compatibility is NONE; Confluent's is BACKWARD. start sets the
#   global level with PUT /config to REGISTRY_COMPATIBILITY (BACKWARD) on a fresh instance,
#   so evolution mistakes fail locally as they would in production. Quirks:
#   * a subject-level NONE does NOT switch checks off while the global level is set
#     (Apicurio treats NONE as "no subject rule", so the global rule applies); other
#     subject levels (FORWARD, FULL, ...) do override. To turn checks off, start with
#     REGISTRY_COMPATIBILITY=NONE.
#   * GET /config/{subject} without a subject rule reports NONE instead of Confluent's
#     40408; DELETE /config/{subject} works.
#   * an incompatible POST .../versions is HTTP 409 with "error_code": 0 (Confluent: 409);
#     POST /compatibility/... returns {"is_compatible":false,"reason":null}, no messages.
# - Unknown id: 404 with error_code 40403; unknown subject: 404 with 40401; unparseable
#   schema: 422 with 42201.
# - DELETE /subjects/{s} is a soft delete (GET /subjects?deleted=true still lists it);
#   ?permanent=true then removes it, and its schema ids answer 40403 afterwards; the same
#   schema registered again gets a new id.
#   DELETE /subjects/{s}/versions/{v} answers 200 but the version stays listed and readable.
# - Not implemented (404): /mode, GET /schemas (list all), /schemas/ids/{id}/subjects
#   (use /schemas/ids/{id}/versions, which works).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SVC_NAME=registry
# shellcheck source=scripts/lib/service.sh disable=SC2034
. "$ROOT/scripts/lib/service.sh"

APICURIO_VERSION=2.4.2.Final
REGISTRY_PORT=${REGISTRY_PORT:-8081}
REGISTRY_HEAP_OPTS=${REGISTRY_HEAP_OPTS:--Xmx384m -Xms64m}
REGISTRY_START_TIMEOUT=${REGISTRY_START_TIMEOUT:-90}
REGISTRY_COMPATIBILITY=${REGISTRY_COMPATIBILITY:-BACKWARD}
REGISTRY_DATA_DIR=${REGISTRY_DATA_DIR:-$LOCAL_DIR/registry}

POM="$ROOT/scripts/registry/pom.xml"
INSTALL_DIR="$CACHE_DIR/apicurio-registry-$APICURIO_VERSION"
BUILD_DIR="$INSTALL_DIR/build"
# Quarkus "legacy-jar" packaging (Apicurio's choice): a runner jar plus lib/ beside it.
RUNNER_NAME="apicurio-registry-local-1-runner.jar"
RUNNER="$BUILD_DIR/$RUNNER_NAME"
STAMP="$INSTALL_DIR/.installed"
LOG="$LOG_DIR/registry.log"
PIDFILE="$RUN_DIR/registry.pid"
MARKER="$RUNNER_NAME"
BASE_URL="http://127.0.0.1:$REGISTRY_PORT"
CCOMPAT_URL="$BASE_URL/apis/ccompat/v7"

fingerprint() { { svc_fingerprint "$POM"; echo "$APICURIO_VERSION"; } | sha256sum | cut -c1-16; }

installed() { [[ -f "$STAMP" && -f "$RUNNER" && "$(<"$STAMP")" == "$(fingerprint)" ]]; }

cmd_install() {
  if installed; then
    svc_say "install: apicurio registry $APICURIO_VERSION already in ${BUILD_DIR#"$ROOT"/}"
    return 0
  fi
  svc_require_mvn
  svc_require_java17
  svc_say "install: building apicurio registry $APICURIO_VERSION from Maven Central (first run downloads ~150 MB)"
  local t0=$SECONDS
  rm -f "$STAMP"
  # A clean build dir: Quarkus leaves stale jars in lib/ when dependency versions change.
  rm -rf "$BUILD_DIR"
  if ! svc_mvn -f "$POM" \
      -Dapicurio.version="$APICURIO_VERSION" -Dregistry.build.dir="$BUILD_DIR" \
      -DskipTests package; then
    svc_die "install: mvn package failed (see the Maven output above)"
  fi
  [[ -f "$RUNNER" ]] || svc_die "install: $RUNNER was not produced"
  fingerprint >"$STAMP"
  svc_say "install: done ($((SECONDS - t0))s)"
}

# Readiness = the Confluent API itself answers, not just the health endpoint: GET /subjects
# goes through the REST layer and the storage, which is what clients need.
probe() {
  curl -fsS -o /dev/null --max-time 2 "$BASE_URL/health/ready" 2>/dev/null || return 1
  curl -fsS -o /dev/null --max-time 2 "$CCOMPAT_URL/subjects" 2>/dev/null
}

cmd_start() {
  installed || svc_die "not installed; run: scripts/registry.sh install"
  svc_require_java17
  command -v curl >/dev/null 2>&1 || svc_die "curl not found (needed for the readiness check)"
  local pid t0=$SECONDS
  if pid=$(svc_pid_alive "$PIDFILE" "$MARKER"); then
    svc_say "already running (PID $pid)"
    svc_wait_ready "$PIDFILE" "$LOG" "$REGISTRY_START_TIMEOUT" probe
    return 0
  fi
  rm -f "$PIDFILE"
  # As for Kafka: a registry answering on our port from elsewhere is reused.
  if probe; then
    svc_say "reusing the registry already answering on $CCOMPAT_URL (not started here)"
    return 0
  fi
  if svc_port_open "$REGISTRY_PORT"; then
    svc_die "port $REGISTRY_PORT on 127.0.0.1 is taken by another process (not ours: no live $PIDFILE)"
  fi
  mkdir -p "$LOG_DIR" "$RUN_DIR" "$REGISTRY_DATA_DIR"
  svc_say "starting on $BASE_URL"
  # Config notes:
  # - quarkus.http.host: Quarkus binds 0.0.0.0 by default; keep it off the network.
  # - The %prod.* keys must carry the profile prefix: the bundled application.properties sets
  #   them per profile, and a profiled key wins over an unprofiled one from any source.
  #   The JDBC pool defaults to 20 idle connections to H2; 2 is plenty here.
  # - LOCK_TIMEOUT: concurrent first registrations all update one row of H2's sequences
  #   table; with H2's default (1 s) a loaded machine turned them into 500s and duplicate
  #   content ids. Measured: 6 writers x 19 schemas, 0 errors with 10 s. Do NOT cap the
  #   pool (max-size): with max-size 1 or 4 this build deadlocked on "acquisition timeout"
  #   and never answered again. Clients serialize their own writes (internal/registry).
  # - registry.ccompat.use-canonical-hash stays off: see the header (it reorders fields).
  # - registry.events / kafka storage are off by default in this build; nothing to disable.
  # shellcheck disable=SC2086 # REGISTRY_HEAP_OPTS is a list of JVM flags.
  svc_launch "$PIDFILE" "$LOG" java $REGISTRY_HEAP_OPTS \
    -XX:+UseSerialGC -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 \
    -D%prod.quarkus.http.port="$REGISTRY_PORT" \
    -D%prod.quarkus.datasource.jdbc.url="jdbc:h2:file:$REGISTRY_DATA_DIR/registry;LOCK_TIMEOUT=10000" \
    -D%prod.quarkus.datasource.jdbc.min-size=2 \
    -D%prod.quarkus.datasource.jdbc.initial-size=2 \
    -jar "$RUNNER"
  svc_wait_ready "$PIDFILE" "$LOG" "$REGISTRY_START_TIMEOUT" probe
  # Through the API rather than Apicurio's registry.rules.global.* property: with the
  # property the rule is enforced but GET /config still reports NONE. Only when this script
  # starts the process: a registry reused from elsewhere keeps its own level.
  if [[ "$REGISTRY_COMPATIBILITY" != NONE ]]; then
    curl -fsS -o /dev/null --max-time 5 -X PUT \
      -H 'Content-Type: application/vnd.schemaregistry.v1+json' \
      -d "{\"compatibility\":\"$REGISTRY_COMPATIBILITY\"}" "$CCOMPAT_URL/config" \
      || svc_die "could not set global compatibility $REGISTRY_COMPATIBILITY"
  fi
  pid=$(<"$PIDFILE")
  svc_say "ready on $CCOMPAT_URL (PID $pid, $((SECONDS - t0))s, RSS $(svc_rss_mib "$pid") MiB)"
}

cmd_stop() {
  # Quarkus shuts down in about a second; the grace only matters if it is wedged.
  svc_stop "$PIDFILE" "$MARKER" 20
}

cmd_status() {
  local pid
  if pid=$(svc_pid_alive "$PIDFILE" "$MARKER"); then
    if probe; then
      svc_say "running (PID $pid, $CCOMPAT_URL, RSS $(svc_rss_mib "$pid") MiB)"
    else
      svc_say "running (PID $pid) but $CCOMPAT_URL not answering yet"
    fi
    return 0
  fi
  svc_say "stopped"
  return 3
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 {install|start|stop|status}" >&2; exit 2 ;;
esac
