#!/usr/bin/env bash
# Benchmark: how long a new service process takes from its start to answering /ready (what a replacement after a
# crash costs), each service started RUNS times against a NATS of its own (TLS and the permission table, as
# deployed; and the local PostgreSQL for persistence), in a namespace of its own; with the JVM flags run-local.sh uses, then with a JDK AOT cache (JEP 483/514) trained for
# the service (-XX:AOTCacheOutput on a first run that starts and stops the service, then -XX:AOTCache=…).
# Prints min/median/max per service and mode, and the machine's load. Builds nothing: run after a package
# (./mvnw -B -DskipTests package, or run-local.sh).
#   scripts/bench-startup.sh [runs] [service …]     defaults: 5 runs; game-instance-service gateway-service
#                                                   auth-service media-token-service persistence-service
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
JAVA_HOME=$(rf_java_home)
JAVA="$JAVA_HOME/bin/java"
RUNS=${1:-5}
shift || true
SERVICES=("$@")
[ ${#SERVICES[@]} -gt 0 ] || SERVICES=(game-instance-service gateway-service auth-service media-token-service persistence-service)
BASE_OPTS=${RF_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}
DB_URL=${RF_DB_URL:-jdbc:postgresql://127.0.0.1:5432/runeforge}
WORK=$(mktemp -d /tmp/rf-startup.XXXXXX)
NS="st$RANDOM"
# A bus of its own, locked as every deployment's (scripts/lib.sh rf_private_bus), on RF_BENCH_NATS_PORT.
scripts/provision.sh >/dev/null || rf_die "scripts/provision.sh failed"
BUS=$RF_ROOT/.run/startup-nats
NATS_PORT=${RF_BENCH_NATS_PORT:-14224}
rf_private_bus "$BUS" "$NATS_PORT" "$NS"
BUS_PID=$(rf_start_bus "$BUS")
NATS_URL=tls://127.0.0.1:$NATS_PORT
trap 'kill "$BUS_PID" 2>/dev/null; rm -rf "$WORK" "$BUS/jetstream"' EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start SERVICE OPTS... ; sets PID and PORT
start() {
  local service=$1; shift
  PORT=$(free_port)
  # shellcheck disable=SC2086
  env BUS_NAMESPACE="$NS" NATS_URL="$NATS_URL" NATS_TLS_CA="$BUS/pki/ca.pem" NATS_NKEY_FILE="$BUS/keys/$service.nk" \
    ADMIN_PORT="$PORT" ADMIN_HOST=127.0.0.1 HTTP_PORT="$(free_port)" \
    HTTP_HOST=127.0.0.1 DEV_MODE=true DB_URL="$DB_URL" DB_USER=postgres LOG_LEVEL=WARNING \
    "$JAVA" "$@" -jar "$service/target/$service.jar" >>"$WORK/$service.log" 2>&1 &
  PID=$!
}

# ms from now until /ready answers 200 (or "fail")
ready_ms() {
  local t0 t1
  t0=$(date +%s%N)
  for _ in $(seq 1 3000); do
    if curl -fs -o /dev/null "http://127.0.0.1:$PORT/ready"; then
      t1=$(date +%s%N); echo $(((t1 - t0) / 1000000)); return
    fi
    kill -0 "$PID" 2>/dev/null || { echo fail; return; }
    sleep 0.02
  done
  echo fail
}

stop() { kill -TERM "$PID" 2>/dev/null || true; wait "$PID" 2>/dev/null || true; }

summary() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {printf "min %s ms, median %s ms, max %s ms (n=%d)", a[1], a[int((NR+1)/2)], a[NR], NR}'; }

measure() { # service label opts...
  local service=$1 label=$2; shift 2
  local times=""
  for _ in $(seq 1 "$RUNS"); do
    # the clock starts before the fork, as an orchestrator's does
    local t0 t1
    t0=$(date +%s%N)
    start "$service" "$@"
    local ms; ms=$(ready_ms)
    t1=$(date +%s%N)
    [ "$ms" = fail ] && { echo "  $service $label: did not get ready (log: $WORK/$service.log)"; tail -5 "$WORK/$service.log"; stop; return; }
    times="$times $(((t1 - t0) / 1000000))"
    stop
  done
  printf '  %-22s %-34s %s\n' "$service" "$label" "$(echo "$times" | summary)"
}

echo "startup to /ready, $RUNS runs each; JDK $("$JAVA" -version 2>&1 | head -1); load $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
for service in "${SERVICES[@]}"; do
  [ -f "$service/target/$service.jar" ] || { echo "  $service: no jar, build first"; continue; }
  # shellcheck disable=SC2086
  measure "$service" "$BASE_OPTS" $BASE_OPTS
  # shellcheck disable=SC2086
  measure "$service" "+ -XX:TieredStopAtLevel=1" $BASE_OPTS -XX:TieredStopAtLevel=1
  # AOT cache: one training run (start, ready, SIGTERM: the cache is written as the JVM exits), then use it.
  aot="$WORK/$service.aot"
  # shellcheck disable=SC2086
  start "$service" $BASE_OPTS -XX:AOTCacheOutput="$aot"
  train=$(ready_ms); sleep 2; stop
  if [ -f "$aot" ]; then
    # shellcheck disable=SC2086
    measure "$service" "+ AOT cache ($(du -h "$aot" | cut -f1), trained $train ms)" $BASE_OPTS -XX:AOTCache="$aot"
    # shellcheck disable=SC2086
    measure "$service" "+ AOT cache + TieredStopAtLevel=1" $BASE_OPTS -XX:AOTCache="$aot" -XX:TieredStopAtLevel=1
  else
    echo "  $service: the training run wrote no AOT cache (log: $WORK/$service.log)"; tail -5 "$WORK/$service.log"
  fi
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
