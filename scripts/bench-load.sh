#!/usr/bin/env bash
# Load benchmark: starts the platform with ./run-local.sh (per-address and per-player limits lifted, a fresh bus
# namespace, its own database), runs bench/bench.mjs against it, prints the table, stops the platform and drops
# the namespace. Numbers are printed, never checked.
#
#   scripts/bench-load.sh [options] [-- bench.mjs options]
#     --build              build the jars first (default: only when one is missing)
#     --game-instances N   game-instance-service processes (default 1; the extra ones start beside run-local.sh's)
#     --idle S             first measure the idle platform for S seconds: its bus traffic (bench/wiretap.mjs
#                          --namespace) and CPU (bench.mjs --mode idle)
#     --keep-namespace     keep the bus's JetStream store (.run/bench-nats/jetstream) after the run
#   e.g. scripts/bench-load.sh -- --steps 500,1000,2000 --duration 30
#        scripts/bench-load.sh -- --mode probe
#        scripts/bench-load.sh --game-instances 3 --idle 30 -- --steps 200
#
# The bus is a nats-server of its own, locked as in production (TLS, one identity per service, the permission
# table rendered for the run's namespace) with a fresh JetStream store: .run/bench-nats, on RF_BENCH_NATS_PORT
# (default 14223); its CPU is the platform's alone. The tools (wiretap, bench.mjs) connect as "bench", an identity
# of that bus alone (scripts/lib.sh rf_private_bus): export the NATS_* variables it prints to use them beside it.
# Ports: RF_HTTP_PORT (default 18080) and RF_ADMIN_PORT_BASE (default 19080; extra game instances take base+5…),
# so that it runs beside a ./run-local.sh on the default ports. Database: RF_DB_URL (default the local
# runeforge_bench, created when missing). Any limit below can be set otherwise in the environment.
# RF_NATS_GOMAXPROCS (default 1): the bus's Go processors. RF_NATS_PROF_PORT: the bus serves Go's profiles there
# (curl -o nats.pprof 'http://127.0.0.1:PORT/debug/pprof/profile?seconds=20'; go tool pprof -top nats.pprof).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

build=0
instances=1
idle=0
keep_ns=0
while (($# > 0)); do
    case $1 in
    --build) build=1 ;;
    --game-instances)
        instances=${2:?--game-instances needs a number}
        shift
        ;;
    --idle)
        idle=${2:?--idle needs seconds}
        shift
        ;;
    --keep-namespace) keep_ns=1 ;;
    --)
        shift
        break
        ;;
    -h | --help)
        sed -n '2,22s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) rf_die "unknown argument: $1 (scripts/bench-load.sh --help)" ;;
    esac
    shift
done
[[ $instances =~ ^[1-9][0-9]*$ ]] || rf_die "--game-instances $instances: a whole number >= 1"
[[ $idle =~ ^[0-9]+$ ]] || rf_die "--idle $idle: whole seconds"

export RF_HTTP_PORT=${RF_HTTP_PORT:-18080}
export RF_ADMIN_PORT_BASE=${RF_ADMIN_PORT_BASE:-19080}
export RF_DB_URL=${RF_DB_URL:-jdbc:postgresql://127.0.0.1:5432/runeforge_bench}
# A fresh namespace: no sessions, streams or leases from an earlier run (1-16 of a-z 0-9).
export BUS_NAMESPACE=${BUS_NAMESPACE:-bench$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')}

# The limits a benchmark from one address runs into (docs/operations.md, Configuration; bench/README.md):
export GATEWAY_SIGNIN_BURST=${GATEWAY_SIGNIN_BURST:-1000000}         # guest sign-ins per address: 10, then 10/min
export GATEWAY_SIGNIN_PER_MINUTE=${GATEWAY_SIGNIN_PER_MINUTE:-1000000}
export GATEWAY_ROOMS_BURST=${GATEWAY_ROOMS_BURST:-1000000}           # rooms created per address: 10, then 2/min
export GATEWAY_ROOMS_PER_MINUTE=${GATEWAY_ROOMS_PER_MINUTE:-1000000}
export GATEWAY_CONNECTIONS_PER_ADDRESS=${GATEWAY_CONNECTIONS_PER_ADDRESS:-1000000} # sockets per address: 64
export GATEWAY_JOIN_MISSES=${GATEWAY_JOIN_MISSES:-1000000}           # room-code misses per address: 10, then 1/min
export GATEWAY_RATE_BURST=${GATEWAY_RATE_BURST:-100000}              # messages per socket: 20, then 10/s (the probe)
export GATEWAY_RATE_REFILL=${GATEWAY_RATE_REFILL:-100000}
export GAME_DICE_ROLLS_LIMIT=${GAME_DICE_ROLLS_LIMIT:-1000000}       # rolls per player: 10 per 10 s (heavy, probe)
# A socket is closed TOKEN_EXPIRED 30 s after its access token expires (15 min); the generator does not refresh
# and reconnect as the SDK does, so a run longer than that would lose its sockets: access tokens last 24 h here.
export AUTH_ACCESS_TTL=${AUTH_ACCESS_TTL:-PT24H}

JAVA_HOME=$(rf_java_home)
export JAVA_HOME
command -v node >/dev/null || rf_die "node is missing: scripts/provision.sh --tests installs it"
if [[ ! -d bench/node_modules || bench/package-lock.json -nt bench/node_modules/.package-lock.json ]]; then
    npm ci --prefix bench --no-audit --no-fund >/dev/null 2>&1 </dev/null || rf_die "npm ci --prefix bench failed"
fi

if [[ $RF_DB_URL =~ ^jdbc:postgresql://(127\.0\.0\.1|localhost):5432/([a-z_0-9]+)$ ]]; then
    db=${BASH_REMATCH[2]}
    if [[ $(psql -h 127.0.0.1 -U postgres -w -X -tAc "select 1 from pg_database where datname = '$db'" 2>/dev/null) != 1 ]]; then
        createdb -h 127.0.0.1 -U postgres -w "$db" 2>/dev/null || rf_die "createdb $db failed"
        rf_log "bench: created database $db"
    fi
fi

run_args=(--no-build)
for svc in auth-service game-instance-service persistence-service media-token-service gateway-service; do
    [[ -f $svc/target/$svc.jar ]] || build=1
done
((build == 0)) || run_args=()

log=.run/logs/bench-run-local.log
mkdir -p .run/logs .run/pids
run_pid=""

# The bus: the development CA and keys scripts/provision.sh keeps in .run/nats, the accounts for this namespace.
scripts/provision.sh >/dev/null || rf_die "scripts/provision.sh failed"
nats_port=${RF_BENCH_NATS_PORT:-14223}
bus=$RF_ROOT/.run/bench-nats
rf_private_bus "$bus" "$nats_port" "$BUS_NAMESPACE"
export RF_NATS_DIR=$bus RF_NATS_PORT=$nats_port
# The tools (wiretap, bench.mjs) as this bus's own "bench" identity, who may watch all of it.
export NATS_URL=tls://127.0.0.1:$nats_port NATS_TLS_CA=$bus/pki/ca.pem NATS_NKEY_FILE=$bus/keys/bench.nk
nats_args=(--nats-port "$nats_port")

extra_pids=()
extra_pid_files=()
cleanup() {
    trap '' INT TERM
    if ((${#extra_pids[@]} > 0)); then
        rf_stop_pids 15 "${extra_pids[@]}" >/dev/null
        rm -f "${extra_pid_files[@]}"
    fi
    if [[ -n $run_pid ]] && rf_pid_alive "$run_pid"; then
        rf_log "bench: stopping the platform and its bus"
        kill -TERM "$run_pid" 2>/dev/null || true
        rf_wait_gone 30 "$run_pid" || rf_warn "./run-local.sh (pid $run_pid) did not stop within 30 s"
    fi
    ((keep_ns == 1)) || rm -rf "$bus/jetstream"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

rf_log "bench: starting the platform (./run-local.sh ${run_args[*]}, http://127.0.0.1:$RF_HTTP_PORT, admin $RF_ADMIN_PORT_BASE-$((RF_ADMIN_PORT_BASE + 4)), namespace $BUS_NAMESPACE, log $log)"
: >"$log" # emptied here, not by the background job's redirection: the wait below must not read the last run's log
./run-local.sh "${run_args[@]}" >>"$log" 2>&1 </dev/null &
run_pid=$!
deadline=$((SECONDS + (${#run_args[@]} ? 300 : 900)))
until grep -q 'Rune Forge is running' "$log"; do
    rf_pid_alive "$run_pid" || {
        tail -n 30 "$log" >&2
        rf_die "./run-local.sh ended before the platform was ready"
    }
    ((SECONDS < deadline)) || rf_die "the platform is not ready in time (see $log)"
    sleep 1
done

# More game instances, beside the one run-local.sh started; their pid files make bench.mjs count their CPU.
read -r -a java_opts <<<"${RF_JAVA_OPTS:--XX:+UseSerialGC -Xmx512m}"
for ((k = 2; k <= instances; k++)); do
    port=$((RF_ADMIN_PORT_BASE + 3 + k))
    env NATS_URL="$NATS_URL" NATS_TLS_CA="$NATS_TLS_CA" NATS_NKEY_FILE="$bus/keys/game-instance-service.nk" \
        ADMIN_PORT=$port "$JAVA_HOME/bin/java" "${java_opts[@]}" \
        -jar "$RF_ROOT/game-instance-service/target/game-instance-service.jar" </dev/null \
        >".run/logs/game-instance-service-$k.log" 2>&1 &
    extra_pids+=($!)
    extra_pid_files+=(".run/pids/game-instance-service-$k.pid")
    echo "$!" >".run/pids/game-instance-service-$k.pid"
done
for ((k = 2; k <= instances; k++)); do
    port=$((RF_ADMIN_PORT_BASE + 3 + k))
    deadline=$((SECONDS + 60))
    until curl -fsS -o /dev/null -m 2 "http://127.0.0.1:$port/ready" 2>/dev/null; do
        ((SECONDS < deadline)) || rf_die "game instance $k is not ready after 60 s (.run/logs/game-instance-service-$k.log)"
        sleep 0.5
    done
done
rf_log "bench: platform ready ($instances game instance(s)); load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
rf_log "bench: its bus, for other tools: NATS_URL=$NATS_URL NATS_TLS_CA=$NATS_TLS_CA NATS_NKEY_FILE=$NATS_NKEY_FILE"

if ((idle > 0)); then
    sleep 5 # let the instances settle their partitions first
    rf_log "bench: the idle platform, namespace $BUS_NAMESPACE ($instances game instance(s), no player), ${idle} s:"
    node bench/bench.mjs --mode idle --duration "$idle" "${nats_args[@]}" >.run/logs/bench-idle.txt 2>/dev/null &
    idle_pid=$!
    node bench/wiretap.mjs --namespace "$BUS_NAMESPACE" --seconds "$idle"
    wait "$idle_pid" || rf_warn "bench.mjs --mode idle failed"
    sed -n '/^idle platform CPU/,$p' .run/logs/bench-idle.txt
fi

status=0
node bench/bench.mjs --base-url "http://127.0.0.1:$RF_HTTP_PORT" "${nats_args[@]}" "$@" || status=$?

# Did a live game instance lose a partition's lease under this load (it may not: docs/operations.md)? Each one's
# counters since its start, read before anything is stopped.
admin_ports=($((RF_ADMIN_PORT_BASE + 2)))
for ((k = 2; k <= instances; k++)); do admin_ports+=($((RF_ADMIN_PORT_BASE + 3 + k))); done
for port in "${admin_ports[@]}"; do
    counters=$(curl -fsS -m 5 "http://127.0.0.1:$port/metrics" 2>/dev/null \
        | awk '/^rf_game_partitions_(owned|acquired_total|lost_total)/ { sub(/^rf_game_partitions_/, "", $1); printf "%s %s, ", $1, $2 }')
    rf_log "bench: game instance on admin port $port: partitions ${counters:-? (metrics not readable)}"
done
exit "$status"
