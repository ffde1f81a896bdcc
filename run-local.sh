#!/usr/bin/env bash
# Starts the whole Rune Forge platform on this machine and serves it on http://localhost:8080.
#
#   ./run-local.sh              provision NATS + PostgreSQL, build, start the five services; Ctrl-C stops them
#   ./run-local.sh --no-build   the same with the jars already built
#   ./run-local.sh --stop       only stop what an earlier run left running
#
# Each service runs as its own process: logs in .run/logs/<service>.log, pid in .run/pids/<service>.pid.
# RF_JAVA_OPTS (default "-XX:+UseSerialGC -Xmx512m") goes to every JVM.
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
        sed -n '2,9s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) rf_die "unknown argument: $arg (usage: ./run-local.sh [--no-build | --stop])" ;;
    esac
done

# Start order; the gateway last, so that it finds the others ready.
SERVICES=(auth-service game-instance-service persistence-service media-token-service gateway-service)
declare -A ADMIN_PORT=(
    [gateway-service]=9080 [auth-service]=9081 [game-instance-service]=9082
    [persistence-service]=9083 [media-token-service]=9084
)
PUBLIC_PORT=8080
NATS_URL=nats://127.0.0.1:4222
RUN_DIR=$RF_ROOT/.run
PID_DIR=$RUN_DIR/pids
LOG_DIR=$RUN_DIR/logs
SCRIPT_PID_FILE=$RUN_DIR/run-local.pid
read -r -a JAVA_OPTS <<<"${RF_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}"

jar_of() { printf '%s\n' "$RF_ROOT/$1/target/$1.jar"; }

# True when process $1 is one of this checkout's services (`java ... -jar <this checkout>/<svc>/target/<svc>.jar`).
is_our_service() {
    local cmd svc
    cmd=" $(rf_cmdline "$1")"
    for svc in "${SERVICES[@]}"; do
        [[ $cmd == *" -jar $(jar_of "$svc") "* ]] && return 0
    done
    return 1
}

# Stops what an earlier run left: its run-local.sh (which then stops its own services), the pids in
# .run/pids/*.pid, and as a fallback any process running one of this checkout's service jars.
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

for port in "$PUBLIC_PORT" "${ADMIN_PORT[@]}"; do
    if rf_port_open 127.0.0.1 "$port"; then
        owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -o 'users:(.*)' | head -n 1) || true
        rf_die "port $port is in use by another program${owner:+ ($owner)}; stop it, then run this again"
    fi
done

# start_service NAME [VAR=value ...]
start_service() {
    local svc=$1
    shift
    env NATS_URL="$NATS_URL" ADMIN_PORT="${ADMIN_PORT[$svc]}" "$@" \
        "$JAVA" "${JAVA_OPTS[@]}" -jar "$(jar_of "$svc")" </dev/null >"$LOG_DIR/$svc.log" 2>&1 &
    SVC_PID[$svc]=$!
    echo "$!" >"$PID_DIR/$svc.pid"
}

t_services=$(rf_now_ms)
start_service auth-service DEV_MODE=true
start_service game-instance-service
start_service persistence-service DB_URL=jdbc:postgresql://127.0.0.1:5432/runeforge DB_USER=postgres
start_service media-token-service
start_service gateway-service HTTP_PORT="$PUBLIC_PORT" DEV_MODE=true
rf_log "started ${#SERVICES[@]} services; waiting for their /ready (up to 60 s)"

ready_url() { printf 'http://127.0.0.1:%s/ready\n' "${ADMIN_PORT[$1]}"; }

show_log_tail() {
    rf_err "the end of .run/logs/$1.log:"
    tail -n 40 "$LOG_DIR/$1.log" >&2 || true
}

declare -A READY=()
deadline=$((SECONDS + 60))
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
            rf_err "$svc is not ready after 60 s; $(ready_url "$svc") answers: $(curl -sS -m 2 "$(ready_url "$svc")" 2>&1 || true)"
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
    wait -n "${SVC_PID[@]}" || status=$?
    for svc in "${SERVICES[@]}"; do
        if ! rf_pid_alive "${SVC_PID[$svc]}"; then
            rf_err "$svc exited (status $status); stopping the others"
            show_log_tail "$svc"
            exit 1
        fi
    done
done
