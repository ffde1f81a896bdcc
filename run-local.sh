#!/usr/bin/env bash
# Starts the whole Rune Forge platform on this machine and serves it on http://localhost:8080.
#
#   ./run-local.sh              provision NATS + PostgreSQL, build, start the bus and the five services; Ctrl-C stops them
#   ./run-local.sh --no-build   the same with the jars already built
#   ./run-local.sh --stop       only stop what an earlier run left running
#
# Each service runs as its own process: logs in .run/logs/<service>.log, pid in .run/pids/<service>.pid. So does
# the bus: nats-server with TLS and the permission table (scripts/provision.sh writes .run/nats), on
# tls://127.0.0.1:4223 (RF_NATS_PORT); each service connects as its own identity (.run/nats/keys/<service>.nk). It runs
# with RF_NATS_GOMAXPROCS Go processors (default 1, as the platform shares the box).
# RF_JAVA_OPTS (default "-XX:+UseSerialGC -Xmx512m") goes to every JVM, with each jar's AOT cache in .run/aot/ on
# JDK 25+ (the first run writes it as it stops; RF_AOT=0: none). Every /ready must answer within RF_READY_WAIT
# seconds (default 120: a first start on a busy 2-core box can take a minute). To run beside another platform on this
# machine: RF_HTTP_PORT (default 8080), RF_ADMIN_PORT_BASE (default 9080; the services get base+0..4 in the order
# gateway, auth, game, persistence, media), RF_DB_URL (default jdbc:postgresql://127.0.0.1:5432/runeforge),
# RF_NATS_DIR (default .run/nats: the bus's nats.conf, pki/ and keys/, as scripts/provision.sh writes them) with
# RF_NATS_PORT (the port its nats.conf listens on) and BUS_NAMESPACE (default rf; the accounts of the bus's
# nats.conf must be rendered for it), which like every other setting reaches the services through the environment.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

build=1
stop_only=0
for arg in "$@"; do
    case $arg in
    --no-build) build=0 ;;
    --stop) stop_only=1 ;;
    -h | --help)
        sed -n '2,17s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) rf_die "unknown argument: $arg (usage: ./run-local.sh [--no-build | --stop])" ;;
    esac
done

# Start order; the gateway last, so that it finds the others ready.
SERVICES=(auth-service game-instance-service persistence-service media-token-service gateway-service)
admin_base=${RF_ADMIN_PORT_BASE:-9080}
[[ $admin_base =~ ^[0-9]+$ ]] || rf_die "RF_ADMIN_PORT_BASE=$admin_base is not a port number"
declare -A ADMIN_PORT=(
    [gateway-service]=$admin_base [auth-service]=$((admin_base + 1)) [game-instance-service]=$((admin_base + 2))
    [persistence-service]=$((admin_base + 3)) [media-token-service]=$((admin_base + 4))
)
PUBLIC_PORT=${RF_HTTP_PORT:-8080}
[[ $PUBLIC_PORT =~ ^[0-9]+$ ]] || rf_die "RF_HTTP_PORT=$PUBLIC_PORT is not a port number"
DB_URL=${RF_DB_URL:-jdbc:postgresql://127.0.0.1:5432/runeforge}
NATS_PORT=${RF_NATS_PORT:-4223}
[[ $NATS_PORT =~ ^[0-9]+$ ]] || rf_die "RF_NATS_PORT=$NATS_PORT is not a port number"
NATS_URL=tls://127.0.0.1:$NATS_PORT
RUN_DIR=$RF_ROOT/.run
NATS_DIR=${RF_NATS_DIR:-$RUN_DIR/nats}
NATS_DIR=$(cd "$NATS_DIR" 2>/dev/null && pwd || printf '%s' "$NATS_DIR")
PID_DIR=$RUN_DIR/pids
LOG_DIR=$RUN_DIR/logs
SCRIPT_PID_FILE=$RUN_DIR/run-local.pid
read -r -a JAVA_OPTS <<<"${RF_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}"

jar_of() { printf '%s\n' "$RF_ROOT/$1/target/$1.jar"; }

# True when process $1 is one of this checkout's services (`java ... -jar <this checkout>/<svc>/target/<svc>.jar`)
# or its bus (`nats-server -c <this checkout>/.run/nats/nats.conf`).
is_our_service() {
    local cmd svc
    cmd=" $(rf_cmdline "$1")"
    for svc in "${SERVICES[@]}"; do
        [[ $cmd == *" -jar $(jar_of "$svc") "* ]] && return 0
    done
    [[ $cmd == *nats-server*" -c $NATS_DIR/nats.conf "* ]]
}

# Stops what an earlier run left: its run-local.sh (which then stops its own services), the pids in
# .run/pids/*.pid, and as a fallback any process running one of this checkout's service jars or its bus.
stop_leftovers() {
    local pid file old
    if [[ -f $SCRIPT_PID_FILE ]]; then
        old=$(<"$SCRIPT_PID_FILE")
        if [[ $old =~ ^[0-9]+$ && $old != "$$" ]] && rf_pid_alive "$old" && [[ $(rf_cmdline "$old") == *run-local.sh* ]]; then
            rf_log "stop: asking the earlier ./run-local.sh (pid $old) to stop"
            kill -TERM "$old" 2>/dev/null || true
            rf_wait_gone 20 "$old" || rf_warn "the earlier ./run-local.sh (pid $old) is still running; stopping its services directly"
        fi
        rm -f "$SCRIPT_PID_FILE"
    fi
    declare -A found=()
    for file in "$PID_DIR"/*.pid; do
        [[ -e $file ]] || continue
        pid=$(<"$file")
        if [[ $pid =~ ^[0-9]+$ ]] && rf_pid_alive "$pid" && is_our_service "$pid"; then
            found[$pid]=1
        fi
        rm -f "$file"
    done
    for file in /proc/[0-9]*; do
        pid=${file#/proc/}
        [[ $pid != "$$" ]] || continue
        if [[ -z ${found[$pid]:-} ]] && is_our_service "$pid"; then
            found[$pid]=1
        fi
    done
    ((${#found[@]} > 0)) || return 0
    local killed
    killed=$(rf_stop_pids 15 "${!found[@]}")
    local msg="stop: stopped ${#found[@]} service process(es) left from an earlier run"
    ((killed == 0)) || msg+=" ($killed needed SIGKILL)"
    rf_log "$msg"
}

if ((stop_only)); then
    stop_leftovers
    rf_log "stop: nothing of this checkout's Rune Forge is running now"
    exit 0
fi

t_start=$(rf_now_ms)

JAVA_HOME=$(rf_java_home)
export JAVA_HOME
JAVA=$JAVA_HOME/bin/java

scripts/provision.sh

# Before the build: a running JVM must not have its jar rewritten under it.
stop_leftovers
mkdir -p "$PID_DIR" "$LOG_DIR"
echo "$$" >"$SCRIPT_PID_FILE"

# From here on, leaving (Ctrl-C, SIGTERM, an error) stops what this run started.
declare -A SVC_PID=()
BUS_PID=""
shutdown_done=0
shutdown() {
    ((shutdown_done == 0)) || return 0
    shutdown_done=1
    trap '' INT TERM HUP
    local svc pid live=() killed
    for svc in "${SERVICES[@]}"; do
        pid=${SVC_PID[$svc]:-}
        [[ -n $pid ]] && rf_pid_alive "$pid" && live+=("$pid")
    done
    if ((${#live[@]} > 0)); then
        rf_log "stopping ${#live[@]} service(s) (SIGTERM, up to 15 s)"
        killed=$(rf_stop_pids 15 "${live[@]}")
        ((killed == 0)) || rf_warn "$killed service(s) did not stop within 15 s and were killed"
        rf_log "stopped"
    fi
    # The bus last: the services drain their NATS connections while they stop.
    if [[ -n $BUS_PID ]] && rf_pid_alive "$BUS_PID"; then
        killed=$(rf_stop_pids 10 "$BUS_PID")
        ((killed == 0)) || rf_warn "nats-server did not stop within 10 s and was killed"
    fi
    if [[ -n $BUS_PID && -f $PID_DIR/nats-server.pid && $(<"$PID_DIR/nats-server.pid") == "$BUS_PID" ]]; then
        rm -f "$PID_DIR/nats-server.pid"
    fi
    for svc in "${SERVICES[@]}"; do
        pid=${SVC_PID[$svc]:-}
        if [[ -n $pid && -f $PID_DIR/$svc.pid && $(<"$PID_DIR/$svc.pid") == "$pid" ]]; then
            rm -f "$PID_DIR/$svc.pid"
        fi
    done
    if [[ -f $SCRIPT_PID_FILE && $(<"$SCRIPT_PID_FILE") == "$$" ]]; then
        rm -f "$SCRIPT_PID_FILE"
    fi
}
on_signal() {
    echo
    shutdown
    exit "$1"
}
trap 'on_signal 130' INT
trap 'on_signal 143' TERM
trap 'on_signal 129' HUP
trap shutdown EXIT

if ((build)); then
    t_build=$(rf_now_ms)
    rf_log "build: ./mvnw -B -q -DskipTests package"
    ./mvnw -B -q -DskipTests package || rf_die "build: failed (see above)"
    rf_log "build: done in $(rf_seconds $(($(rf_now_ms) - t_build)))"
fi
for svc in "${SERVICES[@]}"; do
    [[ -f $(jar_of "$svc") ]] || rf_die "$(jar_of "$svc") is missing: run ./run-local.sh without --no-build"
done

for port in "$PUBLIC_PORT" "${ADMIN_PORT[@]}" "$NATS_PORT"; do
    if rf_port_open 127.0.0.1 "$port"; then
        owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:(.*)' | head -n 1) || true
        rf_die "port $port is in use by another program${owner:+ ($owner)}; stop it, then run this again"
    fi
done

# The JDK's AOT cache (JDK 25+, JEP 483/514): the first run of a service's jar records what it loads and links
# (-XX:AOTCacheOutput; the cache is written as the JVM exits, so stop with Ctrl-C, not kill -9) into
# .run/aot/<service>-<digest of the jar and the JVM options>.aot, and later starts of the same jar with the same
# options map it (-XX:AOTCache; a cache recorded with other options, e.g. another GC or object header layout, would
# be refused by the JVM, so those get a cache of their own). Measured with
# scripts/bench-startup.sh on the shared 2-core box (load 14-18, docs/performance.md): start to /ready, median of
# 4, game instance 16.0 s -> 3.2 s, gateway 3.2 s -> 1.2 s. A rebuilt jar gets a new cache; a cache the JVM
# cannot use is ignored with a warning, and no cache at all is the plain start. RF_AOT=0 turns it off.
aot_opts() {
    local svc=$1 sum dir=.run/aot
    [[ ${RF_AOT:-1} == 1 ]] || return 0
    (($(rf_java_major "$JAVA_HOME") >= 25)) || return 0
    sum=$({ sha1sum <"$(jar_of "$svc")"; printf '%s\n' "${JAVA_OPTS[@]}"; } | sha1sum | cut -c1-12)
    if [[ -f $dir/$svc-$sum.aot ]]; then
        printf '%s\n' "-XX:AOTCache=$dir/$svc-$sum.aot"
    else
        mkdir -p "$dir"
        rm -f "$dir/$svc"-*.aot "$dir/$svc"-*.aot.config
        printf '%s\n' "-XX:AOTCacheOutput=$dir/$svc-$sum.aot"
    fi
}

# The bus: scripts/provision.sh wrote its config (TLS, the accounts rendered from deploy/nats/permissions.txt).
# One Go processor (RF_NATS_GOMAXPROCS): on a box it shares with the platform, nats-server's scheduler spent more on
# handing work between its threads than on the work (docs/performance.md, "Wakes, not work").
NATS_BIN=$(command -v nats-server || echo /usr/sbin/nats-server)
: >"$LOG_DIR/nats-server.log"
GOMAXPROCS=${RF_NATS_GOMAXPROCS:-1} "$NATS_BIN" -c "$NATS_DIR/nats.conf" -l "$LOG_DIR/nats-server.log" </dev/null >/dev/null 2>&1 &
BUS_PID=$!
echo "$BUS_PID" >"$PID_DIR/nats-server.pid"
# Ready when it says so (a bare TCP probe would only be logged as a failed TLS handshake).
bus_deadline=$((SECONDS + 20))
until grep -q "Server is ready" "$LOG_DIR/nats-server.log" 2>/dev/null; do
    if ! rf_pid_alive "$BUS_PID" || ((SECONDS >= bus_deadline)); then
        rf_err "nats-server did not start on port $NATS_PORT; the end of .run/logs/nats-server.log:"
        tail -n 20 "$LOG_DIR/nats-server.log" >&2 || true
        exit 1
    fi
    sleep 0.2
done
rf_log "bus: nats-server on $NATS_URL (TLS, one identity per service; log .run/logs/nats-server.log)"

# start_service NAME [VAR=value ...]: it connects as its own bus identity, trusting the development CA.
start_service() {
    local svc=$1 aot
    shift
    aot=$(aot_opts "$svc")
    env NATS_URL="$NATS_URL" NATS_TLS_CA="$NATS_DIR/pki/ca.pem" NATS_NKEY_FILE="$NATS_DIR/keys/$svc.nk" \
        ADMIN_PORT="${ADMIN_PORT[$svc]}" "$@" \
        "$JAVA" "${JAVA_OPTS[@]}" ${aot:+"$aot"} -jar "$(jar_of "$svc")" </dev/null >"$LOG_DIR/$svc.log" 2>&1 &
    SVC_PID[$svc]=$!
    echo "$!" >"$PID_DIR/$svc.pid"
}

t_services=$(rf_now_ms)
start_service auth-service DEV_MODE=true
start_service game-instance-service
start_service persistence-service DB_URL="$DB_URL" DB_USER=postgres
start_service media-token-service
start_service gateway-service HTTP_PORT="$PUBLIC_PORT" DEV_MODE=true
rf_log "started ${#SERVICES[@]} services; waiting for their /ready (up to 60 s)"

ready_url() { printf 'http://127.0.0.1:%s/ready\n' "${ADMIN_PORT[$1]}"; }

show_log_tail() {
    rf_err "the end of .run/logs/$1.log:"
    tail -n 40 "$LOG_DIR/$1.log" >&2 || true
}

declare -A READY=()
READY_WAIT=${RF_READY_WAIT:-120}
deadline=$((SECONDS + READY_WAIT))
while ((${#READY[@]} < ${#SERVICES[@]})); do
    for svc in "${SERVICES[@]}"; do
        [[ -z ${READY[$svc]:-} ]] || continue
        if ! rf_pid_alive "${SVC_PID[$svc]}"; then
            status=0
            wait "${SVC_PID[$svc]}" || status=$?
            rf_err "$svc exited during start-up (exit status $status)"
            show_log_tail "$svc"
            exit 1
        fi
        if curl -fsS -o /dev/null -m 2 "$(ready_url "$svc")" 2>/dev/null; then
            READY[$svc]=1
            rf_log "ready: $svc ($(rf_seconds $(($(rf_now_ms) - t_services))))"
        fi
    done
    ((${#READY[@]} < ${#SERVICES[@]})) || break
    if ((SECONDS >= deadline)); then
        for svc in "${SERVICES[@]}"; do
            [[ -z ${READY[$svc]:-} ]] || continue
            rf_err "$svc is not ready after $READY_WAIT s (RF_READY_WAIT); $(ready_url "$svc") answers: $(curl -sS -m 2 "$(ready_url "$svc")" 2>&1 || true)"
            show_log_tail "$svc"
        done
        exit 1
    fi
    sleep 0.5
done

t_ready=$(rf_now_ms)
echo
rf_log "Rune Forge is running: http://localhost:$PUBLIC_PORT"
rf_log "  started in $(rf_seconds $((t_ready - t_services))) ($(rf_seconds $((t_ready - t_start))) with provisioning and build)"
rf_log "  admin ports (/health /ready /metrics):"
for svc in gateway-service "${SERVICES[@]:0:4}"; do
    printf '    %-22s http://localhost:%s/ready\n' "$svc" "${ADMIN_PORT[$svc]}"
done
rf_log "  logs: .run/logs/<service>.log      Ctrl-C stops everything"

# Wait for Ctrl-C or SIGTERM (the traps above). A service that ends by itself ends the run.
while :; do
    status=0
    wait -n "${SVC_PID[@]}" "$BUS_PID" || status=$?
    if ! rf_pid_alive "$BUS_PID"; then
        rf_err "nats-server exited (status $status); stopping the services"
        tail -n 20 "$LOG_DIR/nats-server.log" >&2 || true
        exit 1
    fi
    for svc in "${SERVICES[@]}"; do
        if ! rf_pid_alive "${SVC_PID[$svc]}"; then
            rf_err "$svc exited (status $status); stopping the others"
            show_log_tail "$svc"
            exit 1
        fi
    done
done
