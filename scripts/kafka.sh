#!/usr/bin/env bash
# Local single-node Apache Kafka (KRaft, broker+controller in one JVM) for development and CI.
#
#   scripts/kafka.sh install   download the broker classpath from Maven Central (cached)
#   scripts/kafka.sh start     format once, start detached, return when the broker answers
#   scripts/kafka.sh stop      SIGTERM, wait, SIGKILL after a deadline
#   scripts/kafka.sh restart   stop, then start; only a broker this checkout started
#   scripts/kafka.sh status    exit 0 if running, 3 if not
#   scripts/kafka.sh secure-env print the secured listener's settings as export lines
#                              (KAFKA_SECURE_*), for .local/env; nothing when it is absent
#   scripts/kafka.sh tool NAME [ARGS...]
#                              run a Kafka CLI from the same classpath (there are no
#                              bin/kafka-*.sh here). NAME is one of topics, console-producer,
#                              console-consumer, consumer-groups, configs, get-offsets,
#                              broker-api-versions (a "kafka-" prefix is accepted), or a
#                              class name, e.g.
#                              scripts/kafka.sh tool topics --bootstrap-server 127.0.0.1:9092 --list
#
# Env: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_SECURE_PORT (9094),
#      KAFKA_HEAP_OPTS, KAFKA_START_TIMEOUT (180).
#
# Two client listeners: PLAINTEXT on KAFKA_PORT for everything local, and SASL_SSL with
# SCRAM-SHA-512 on KAFKA_SECURE_PORT, the way production clusters (Strimzi, MSK, Confluent
# Cloud) are reached, so that the pipeline's TLS and SASL settings are exercised for real.
# Its CA, the broker's certificate (for 127.0.0.1 and localhost) and the SCRAM user's
# password are made on first start under .local/<instance>/secure/ with openssl; the user is
# created with Kafka's own kafka-configs tool.
#
# Why Maven and not the Apache tarball: the only download hosts we can reach are the
# package registries; the broker, its Scala runtime and the CLI tools are all on Maven Central.
#
# Why 4.3.1: it is the newest 4.x whose kafka-tools artifact (the CLI classes used for the
# readiness probe and for debugging) is on the Maven Central we reach; 4.4.0's broker is
# there but kafka-tools 4.4.0 is not. Kafka 4.x brokers need Java 17 (class version 61),
# which is what we run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SVC_NAME=kafka
# shellcheck source=scripts/lib/service.sh disable=SC2034
. "$ROOT/scripts/lib/service.sh"

KAFKA_VERSION=4.3.1
KAFKA_PORT=${KAFKA_PORT:-9092}
# A second, independent broker (own data, log and PID file) for tests that
# stop and restart Kafka without disturbing the shared one: KAFKA_INSTANCE=faults.
KAFKA_INSTANCE=${KAFKA_INSTANCE:-kafka}
KAFKA_CONTROLLER_PORT=${KAFKA_CONTROLLER_PORT:-9093}
KAFKA_SECURE_PORT=${KAFKA_SECURE_PORT:-9094}
SCRAM_USER=belvo
KAFKA_HEAP_OPTS=${KAFKA_HEAP_OPTS:--Xmx768m -Xms256m}
# Longer than initial.broker.registration.timeout.ms (150 s, below): after an
# unclean stop the broker may only register once the dead broker's session
# lapses, and a start that gave up sooner would never see it do so.
KAFKA_START_TIMEOUT=${KAFKA_START_TIMEOUT:-180}

POM="$ROOT/scripts/kafka/pom.xml"
INSTALL_DIR="$CACHE_DIR/kafka-$KAFKA_VERSION"
LIBS="$INSTALL_DIR/libs"
STAMP="$INSTALL_DIR/.installed"
KAFKA_HOME="$LOCAL_DIR/$KAFKA_INSTANCE"
DATA_DIR="$KAFKA_HOME/data"
CONF_DIR="$KAFKA_HOME/config"
LOG="$LOG_DIR/$KAFKA_INSTANCE.log"
PIDFILE="$RUN_DIR/$KAFKA_INSTANCE.pid"
SECURE_DIR="$KAFKA_HOME/secure"
# Main class of the broker; also what identifies our process in /proc/PID/cmdline.
MARKER="kafka.Kafka"
BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

fingerprint() { { svc_fingerprint "$POM"; echo "$KAFKA_VERSION"; } | sha256sum | cut -c1-16; }

installed() { [[ -f "$STAMP" && "$(<"$STAMP")" == "$(fingerprint)" ]]; }

cmd_install() {
  if installed; then
    svc_say "install: kafka $KAFKA_VERSION already in ${LIBS#"$ROOT"/}"
    return 0
  fi
  svc_require_mvn
  svc_require_java17
  svc_say "install: fetching kafka $KAFKA_VERSION from Maven Central into ${LIBS#"$ROOT"/}"
  local tmp="$INSTALL_DIR/libs.tmp.$$" t0=$SECONDS
  rm -rf "$tmp"; mkdir -p "$tmp"
  # Plugin version pinned: an unpinned CLI goal resolves "latest" and drifts between machines.
  # Copy into a temp dir and rename, so an interrupted download never looks installed.
  if ! svc_mvn -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
      org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
      -DincludeScope=runtime -DoutputDirectory="$tmp"; then
    rm -rf "$tmp"
    svc_die "install: mvn dependency:copy-dependencies failed"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || svc_die "install: kafka_2.13-$KAFKA_VERSION.jar missing after copy"
  rm -rf "$LIBS"; mv "$tmp" "$LIBS"
  fingerprint >"$STAMP"
  svc_say "install: done ($(find "$LIBS" -name "*.jar" | wc -l) jars, $((SECONDS - t0))s)"
}

write_config() {
  mkdir -p "$CONF_DIR" "$DATA_DIR"
  # Regenerated on every start so edits to this script (or KAFKA_PORT) take effect;
  # the data dir keeps the cluster identity.
  cat >"$CONF_DIR/server.properties" <<EOF
# Generated by scripts/kafka.sh; edits are overwritten on start.
process.roles=broker,controller
node.id=1
# Static single-voter quorum: no dynamic-quorum bootstrap record to keep in sync
# with the controller port if it ever changes.
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT,SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_SSL://127.0.0.1:$KAFKA_SECURE_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL
# The secured listener: TLS with a PEM key store (key and chain in one file, made by
# make_certs) and SCRAM-SHA-512, whose credentials live in the cluster metadata.
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_ssl.ssl.keystore.type=PEM
listener.name.sasl_ssl.ssl.keystore.location=$SECURE_DIR/broker.pem
log.dirs=$DATA_DIR
num.partitions=1
default.replication.factor=1
# A single broker can never satisfy the production defaults of 3 for internal topics;
# consumer groups and transactions would hang waiting for replicas that do not exist.
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
# Tests create a group and expect an assignment immediately, not after 3 s.
group.initial.rebalance.delay.ms=0
# The internal topics are created on first use with 50 partitions by default; on a fresh
# 2-core box that made the first consumer group take 1.3-3.3 s to get data instead of ~0.4 s.
# One partition is plenty for one broker.
offsets.topic.num.partitions=1
transaction.state.log.num.partitions=1
# The controller fences a broker whose heartbeats stop for this long, taking every
# partition it leads offline until it is unfenced. With one broker that is the whole
# cluster, and there is no other broker to move leadership to: fencing only hurts. On a
# 2-core box running race-detector tests beside Kafka, the controller thread was starved
# for 10-24 s (metadata writes of 6-20 s in the log), the default 9 s lease ran out, and
# clients saw "all brokers are currently fenced" and NOT_LEADER for tens of seconds.
broker.session.timeout.ms=120000
# After an unclean stop (kill -9, a host restart) the controller refuses this broker's
# registration as a duplicate until the dead broker's session above lapses; a broker
# gives up on registering after 60 s by default, so it would never get past it.
initial.broker.registration.timeout.ms=150000
EOF

  # Everything to stdout, which svc_launch sends to .local/logs/kafka.log: one file to tail.
  cat >"$CONF_DIR/log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = STDOUT
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.stdout.ref = STDOUT
# Per-request and state-change chatter drowns the lines that explain failures.
logger.request.name = kafka.request.logger
logger.request.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
logger.authorizer.name = kafka.authorizer.logger
logger.authorizer.level = WARN
EOF

  # CLI tools: only warnings, on stderr, so their stdout stays parseable.
  cat >"$CONF_DIR/tools-log4j2.properties" <<'EOF'
status = warn
appender.console.type = Console
appender.console.name = STDERR
appender.console.target = SYSTEM_ERR
appender.console.layout.type = PatternLayout
appender.console.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.stderr.ref = STDERR
EOF
}

# run_class CLASS ARGS... : a JVM on the broker classpath with small heap, for CLI tools.
run_class() {
  local cls=$1; shift
  java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$CONF_DIR/tools-log4j2.properties" \
    -cp "$LIBS/*" "$cls" "$@"
}

# make_certs: a CA and a broker certificate signed by it, once. The key store is the PKCS#8
# key followed by the certificate and the CA, as Kafka's PEM key store reads it.
make_certs() {
  [[ -f "$SECURE_DIR/broker.pem" && -f "$SECURE_DIR/ca.pem" && -f "$SECURE_DIR/scram.password" ]] && return 0
  command -v openssl >/dev/null || svc_die "openssl is needed for the secured listener's certificates"
  local d="$SECURE_DIR.tmp.$$"
  rm -rf "$d"; mkdir -p "$d"
  (
    cd "$d"
    openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=belvo-pipeline local CA" \
      -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout broker.key -out broker.csr 2>/dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >ext.cnf
    openssl x509 -req -in broker.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 3650 \
      -extfile ext.cnf -out broker.crt 2>/dev/null
    openssl pkcs8 -topk8 -nocrypt -in broker.key -out broker.p8
    cat broker.p8 broker.crt ca.pem >broker.pem
    # A password of letters and digits only: it goes into kafka-configs' [key=value] syntax.
    openssl rand -hex 16 >scram.password
    rm -f broker.csr ext.cnf ca.srl broker.p8
    chmod 600 ca.key broker.key broker.pem scram.password
  ) || { rm -rf "$d"; svc_die "could not make the secured listener's certificates"; }
  rm -rf "$SECURE_DIR"; mv "$d" "$SECURE_DIR"
  svc_say "made a CA, a broker certificate and a SCRAM password under ${SECURE_DIR#"$ROOT"/}"
}

# scram_user: the SCRAM user of the secured listener, created once per cluster (the
# credential is stored in the metadata log, so a new data dir needs it again).
scram_user() {
  local cid marker
  cid=$(sed -n 's/^cluster.id=//p' "$DATA_DIR/meta.properties")
  marker="$SECURE_DIR/.scram-$cid"
  [[ -f "$marker" ]] && return 0
  run_class kafka.admin.ConfigCommand --bootstrap-server "$BOOTSTRAP" --alter \
    --add-config "SCRAM-SHA-512=[iterations=4096,password=$(<"$SECURE_DIR/scram.password")]" \
    --entity-type users --entity-name "$SCRAM_USER" >>"$LOG" 2>&1 \
    || { svc_log_tail "$LOG"; svc_die "could not create the SCRAM user $SCRAM_USER"; }
  touch "$marker"
  svc_say "SCRAM-SHA-512 user $SCRAM_USER created; secured listener on 127.0.0.1:$KAFKA_SECURE_PORT"
}

cmd_secure_env() {
  [[ -f "$SECURE_DIR/scram.password" ]] || return 0
  svc_port_open "$KAFKA_SECURE_PORT" || return 0
  echo "export KAFKA_SECURE_BROKERS=127.0.0.1:$KAFKA_SECURE_PORT"
  echo "export KAFKA_SECURE_SASL_MECHANISM=SCRAM-SHA-512"
  echo "export KAFKA_SECURE_SASL_USERNAME=$SCRAM_USER"
  echo "export KAFKA_SECURE_SASL_PASSWORD=$(<"$SECURE_DIR/scram.password")"
  echo "export KAFKA_SECURE_TLS_CA_FILE=$SECURE_DIR/ca.pem"
}

format_once() {
  # meta.properties is written by the format step; its presence means the log dir
  # already belongs to a cluster and must not be formatted again.
  [[ -f "$DATA_DIR/meta.properties" ]] && return 0
  local cid
  cid=$(run_class kafka.tools.StorageTool random-uuid)
  svc_say "formatting ${DATA_DIR#"$ROOT"/} (cluster id $cid)"
  run_class kafka.tools.StorageTool format -t "$cid" -c "$CONF_DIR/server.properties" >>"$LOG" 2>&1 \
    || { svc_log_tail "$LOG"; svc_die "storage format failed"; }
}

# Readiness = the broker answers the Kafka protocol. A TCP accept alone is not enough
# (the socket opens before request processing is enabled), so once the port accepts,
# run BrokerApiVersionsCommand, which completes only after a real ApiVersions
# round trip; a KRaft broker only serves client requests once it is unfenced.
probe() {
  svc_port_open "$KAFKA_PORT" || return 1
  run_class org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$BOOTSTRAP" \
    >/dev/null 2>&1
}

cmd_start() {
  installed || svc_die "not installed; run: scripts/kafka.sh install"
  svc_require_java17
  local pid t0=$SECONDS
  if pid=$(svc_pid_alive "$PIDFILE" "$MARKER"); then
    svc_say "already running (PID $pid)"
    svc_wait_ready "$PIDFILE" "$LOG" "$KAFKA_START_TIMEOUT" probe
    return 0
  fi
  rm -f "$PIDFILE"
  # A broker that answers on our port but is not ours (another checkout's
  # `make up`, or one left by an earlier session) serves tests just as well:
  # every test uses its own topic prefix. Reuse it rather than fail.
  if probe; then
    svc_say "reusing the Kafka already answering on $BOOTSTRAP (not started here; stop it where it was started)"
    return 0
  fi
  for p in "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; do
    if svc_port_open "$p"; then
      svc_die "port $p on 127.0.0.1 is taken by another process (not ours: no live $PIDFILE)"
    fi
  done
  for p in "$KAFKA_SECURE_PORT"; do
    if svc_port_open "$p"; then
      svc_die "port $p on 127.0.0.1 is taken by another process (not ours: no live $PIDFILE)"
    fi
  done
  mkdir -p "$LOG_DIR" "$RUN_DIR"
  make_certs
  write_config
  format_once
  svc_say "starting on $BOOTSTRAP (controller 127.0.0.1:$KAFKA_CONTROLLER_PORT)"
  # G1's regions default to 1 MB at this heap size, and an object of half a
  # region or more is "humongous": allocated outside the young generation,
  # region by region. Every produce request the fetcher sends (up to 900 kB)
  # was one. With 4 MB regions they are ordinary allocations: the broker's
  # CPU per record fell from 8-12 to 6.5-7.5 us at 4-16 workers in
  # bench-fetcher. First, so that KAFKA_HEAP_OPTS can override it.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM flags.
  svc_launch "$PIDFILE" "$LOG" java -XX:G1HeapRegionSize=4m $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$CONF_DIR/log4j2.properties" \
    -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$LIBS/*" "$MARKER" "$CONF_DIR/server.properties"
  svc_wait_ready "$PIDFILE" "$LOG" "$KAFKA_START_TIMEOUT" probe
  scram_user
  pid=$(<"$PIDFILE")
  svc_say "ready on $BOOTSTRAP (PID $pid, $((SECONDS - t0))s, RSS $(svc_rss_mib "$pid") MiB)"
}

cmd_stop() {
  # Controlled shutdown of a single node is quick; 30 s covers flushing a large log.
  svc_stop "$PIDFILE" "$MARKER" 30
}

# Restart only a broker this checkout started: one that is merely reused
# (another checkout's) would be left running while the caller believes it
# restarted (the chaos suite counts on the outage being real).
cmd_restart() {
  svc_pid_alive "$PIDFILE" "$MARKER" >/dev/null \
    || svc_die "no broker of this checkout is running (no live $PIDFILE); restart stops only a broker it started"
  cmd_stop
  cmd_start
}

cmd_status() {
  local pid
  if pid=$(svc_pid_alive "$PIDFILE" "$MARKER"); then
    if svc_port_open "$KAFKA_PORT"; then
      svc_say "running (PID $pid, $BOOTSTRAP, RSS $(svc_rss_mib "$pid") MiB)"
    else
      svc_say "running (PID $pid) but $BOOTSTRAP not accepting connections yet"
    fi
    return 0
  fi
  svc_say "stopped"
  return 3
}

cmd_tool() {
  (( $# >= 1 )) || svc_die "usage: scripts/kafka.sh tool NAME|CLASS [ARGS...]"
  installed || svc_die "not installed; run: scripts/kafka.sh install"
  local cls=${1#kafka-}; shift
  case "$cls" in
    topics) cls=org.apache.kafka.tools.TopicCommand ;;
    console-producer) cls=org.apache.kafka.tools.ConsoleProducer ;;
    console-consumer) cls=org.apache.kafka.tools.consumer.ConsoleConsumer ;;
    consumer-groups) cls=org.apache.kafka.tools.consumer.group.ConsumerGroupCommand ;;
    configs) cls=kafka.admin.ConfigCommand ;;
    get-offsets) cls=org.apache.kafka.tools.GetOffsetShell ;;
    broker-api-versions) cls=org.apache.kafka.tools.BrokerApiVersionsCommand ;;
    *.*) ;;
    *) cls="org.apache.kafka.tools.$cls" ;;
  esac
  mkdir -p "$CONF_DIR"
  [[ -f "$CONF_DIR/tools-log4j2.properties" ]] || write_config
  run_class "$cls" "$@"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  restart) cmd_restart ;;
  status) cmd_status ;;
  secure-env) cmd_secure_env ;;
  tool) shift; cmd_tool "$@" ;;
  *) echo "usage: $0 {install|start|stop|restart|status|secure-env|tool NAME [ARGS...]}" >&2; exit 2 ;;
esac
