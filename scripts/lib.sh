# shellcheck shell=bash
# Helpers shared by run-local.sh, run-tests.sh and scripts/provision.sh. Source it; it only defines things.
#
#   rf_java_home                 print a JDK 21+ home (JAVA_HOME, Temurin 25, newest /usr/lib/jvm/*) or fail
#   rf_port_open HOST PORT       true when a TCP connect succeeds within 1 s
#   rf_wait_port HOST PORT SECS  wait until HOST:PORT accepts connections; false after SECS
#   rf_apt_install PKG...        install the Debian packages that are missing (apt-get update once, if needed)
#   rf_log / rf_warn / rf_die    one line to stdout / "warning: ..." to stderr / "error: ..." to stderr and exit 1

# The repository root (this file lives in <root>/scripts).
RF_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
RF_MIN_JAVA=21
RF_TEMURIN_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
RF_JVM_DIR=/usr/lib/jvm

rf_log() { printf '%s\n' "$*"; }
rf_warn() { printf 'warning: %s\n' "$*" >&2; }
rf_err() { printf 'error: %s\n' "$*" >&2; }
rf_die() {
    rf_err "$@"
    exit 1
}

# Milliseconds since the epoch, and "12.3 s" for a duration given in milliseconds.
rf_now_ms() { echo $(($(date +%s%N) / 1000000)); }
rf_seconds() { printf '%d.%d s' $(($1 / 1000)) $((($1 % 1000) / 100)); }

# --- JDK ----------------------------------------------------------------------------------------------------------

# The version of the JDK at $1 ("25.0.3", "1.8.0_392"): its release file, else `java -XshowSettings`.
rf_java_version() {
    local home=$1 v=""
    [[ -x $home/bin/java ]] || return 1
    if [[ -r $home/release ]]; then
        v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n 1)
    fi
    if [[ -z $v ]]; then
        v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 |
            sed -n 's/^ *java\.version = //p' | head -n 1) || true
    fi
    [[ -n $v ]] || return 1
    printf '%s\n' "$v"
}

# The feature release of the JDK at $1: 25 for "25.0.3", 8 for "1.8.0_392".
rf_java_major() {
    local v
    v=$(rf_java_version "$1") || return 1
    [[ $v == 1.* ]] && v=${v#1.}
    v=${v%%[!0-9]*}
    [[ -n $v ]] || return 1
    printf '%s\n' "$v"
}

rf_java_ok() {
    local major
    major=$(rf_java_major "$1") || return 1
    ((major >= RF_MIN_JAVA))
}

# Prints the JDK home to build and run with: JAVA_HOME when it is 21+, else Temurin 25, else the newest
# /usr/lib/jvm/* whose release file says 21+, else the JDK of the `java` on PATH when it is 21+.
rf_java_home() {
    if [[ -n ${JAVA_HOME:-} ]]; then
        if rf_java_ok "$JAVA_HOME"; then
            printf '%s\n' "$JAVA_HOME"
            return 0
        fi
        rf_warn "JAVA_HOME=$JAVA_HOME is not a JDK $RF_MIN_JAVA+ ($(rf_java_version "$JAVA_HOME" || echo 'no java in it')); looking for another"
    fi
    if rf_java_ok "$RF_TEMURIN_HOME"; then
        printf '%s\n' "$RF_TEMURIN_HOME"
        return 0
    fi
    local dir best
    best=$(
        for dir in "$RF_JVM_DIR"/*/; do
            dir=${dir%/}
            if [[ -r $dir/release ]] && rf_java_ok "$dir"; then
                printf '%s %s\n' "$(rf_java_version "$dir")" "$dir"
            fi
        done | sort -V | tail -n 1 | cut -d ' ' -f 2-
    )
    if [[ -n $best ]]; then
        printf '%s\n' "$best"
        return 0
    fi
    local java
    if java=$(command -v java); then
        dir=$(dirname "$(dirname "$(readlink -f "$java")")")
        if rf_java_ok "$dir"; then
            printf '%s\n' "$dir"
            return 0
        fi
    fi
    rf_err "Rune Forge needs a JDK $RF_MIN_JAVA or newer and none was found (JAVA_HOME, $RF_TEMURIN_HOME, $RF_JVM_DIR/*, java on PATH)."
    rf_err "Install a JDK $RF_MIN_JAVA+ (e.g. Temurin 21 or 25) and set JAVA_HOME to it, then run this again."
    return 1
}

# --- network ------------------------------------------------------------------------------------------------------

rf_port_open() {
    # shellcheck disable=SC2016 # $1 and $2 are the inner bash's arguments
    timeout 1 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$1" "$2" 2>/dev/null
}

rf_wait_port() {
    local host=$1 port=$2 deadline=$((SECONDS + $3))
    until rf_port_open "$host" "$port"; do
        ((SECONDS < deadline)) || return 1
        sleep 0.5
    done
}

# --- Debian packages ----------------------------------------------------------------------------------------------

# apt and pg_createcluster output goes here, not to the terminal.
RF_PROVISION_LOG=${RF_PROVISION_LOG:-$RF_ROOT/.run/logs/provision.log}

rf_pkg_installed() {
    [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# Installs those of the given packages that are not installed. `apt-get update` runs once per run (also across
# scripts started from one another: RF_APT_UPDATED is exported), and only when something must be installed.
rf_apt_install() {
    local pkg missing=()
    for pkg in "$@"; do
        rf_pkg_installed "$pkg" || missing+=("$pkg")
    done
    ((${#missing[@]} > 0)) || return 0
    if ((EUID != 0)); then
        rf_err "missing Debian packages: ${missing[*]}"
        rf_err "install them as root, then run this again:  sudo apt-get install -y ${missing[*]}"
        return 1
    fi
    command -v apt-get >/dev/null || rf_die "missing packages ${missing[*]} and no apt-get to install them (this expects Debian)"
    mkdir -p "$(dirname "$RF_PROVISION_LOG")"
    if [[ ${RF_APT_UPDATED:-0} != 1 ]]; then
        rf_log "apt: updating package lists"
        if ! apt-get update -q >>"$RF_PROVISION_LOG" 2>&1; then
            tail -n 20 "$RF_PROVISION_LOG" >&2
            rf_die "apt-get update failed (full output: $RF_PROVISION_LOG)"
        fi
        RF_APT_UPDATED=1
        export RF_APT_UPDATED
    fi
    rf_log "apt: installing ${missing[*]}"
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >>"$RF_PROVISION_LOG" 2>&1 </dev/null; then
        tail -n 20 "$RF_PROVISION_LOG" >&2
        rf_die "apt-get install ${missing[*]} failed (full output: $RF_PROVISION_LOG)"
    fi
}

# --- processes ----------------------------------------------------------------------------------------------------

# True while process $1 exists and is not a zombie.
rf_pid_alive() {
    local stat
    kill -0 "$1" 2>/dev/null || return 1
    stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
    stat=${stat##*) }
    [[ ${stat:0:1} != Z ]]
}

# The command line of process $1, arguments joined by spaces (empty when it is gone).
rf_cmdline() {
    { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true
}

# Waits up to $1 seconds for the processes $2... to end; true when all of them did.
rf_wait_gone() {
    local deadline=$((SECONDS + $1)) pid alive
    shift
    while :; do
        alive=0
        for pid in "$@"; do
            if rf_pid_alive "$pid"; then
                alive=1
                break
            fi
        done
        ((alive)) || return 0
        ((SECONDS < deadline)) || return 1
        sleep 0.2
    done
}

# SIGTERM to the processes $2..., up to $1 seconds for them to end, then SIGKILL to those left.
# Prints the number of processes that had to be killed.
rf_stop_pids() {
    local grace=$1 pid killed=0
    shift
    (($# > 0)) || {
        echo 0
        return 0
    }
    kill -TERM "$@" 2>/dev/null || true
    if ! rf_wait_gone "$grace" "$@"; then
        for pid in "$@"; do
            if rf_pid_alive "$pid"; then
                kill -KILL "$pid" 2>/dev/null || true
                killed=$((killed + 1))
            fi
        done
        rf_wait_gone 5 "$@" || true
    fi
    echo "$killed"
}

# rf_private_bus DIR PORT NAMESPACE: writes DIR/nats.conf for a bus like ./run-local.sh's (TLS, one identity per
# service, the permission table's accounts rendered for NAMESPACE alone, the development CA and keys that
# scripts/provision.sh keeps in .run/nats, linked as DIR/pki and DIR/keys) on 127.0.0.1:PORT with a fresh JetStream
# store in DIR/jetstream. For the benchmarks: a bus whose CPU and store are theirs alone, plus one identity that
# exists on no other bus, "bench" (DIR/keys/bench.nk), allowed everything, so that the benchmark's tools see the
# whole bus (bench/wiretap.mjs: every subject, JetStream's API and the inboxes). Start it with rf_start_bus DIR, or
# give ./run-local.sh RF_NATS_DIR=DIR RF_NATS_PORT=PORT.
rf_private_bus() {
    local dir=$1 port=$2 ns=$3
    [[ -f $RF_ROOT/.run/nats/pki/ca.pem && -d $RF_ROOT/.run/nats/keys ]] ||
        rf_die "no development bus in .run/nats: run scripts/provision.sh first"
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 700 "$dir"
    ln -s "$RF_ROOT/.run/nats/pki" "$dir/pki"
    ln -s "$RF_ROOT/.run/nats/keys" "$dir/keys"
    "$RF_ROOT/deploy/nats/bus-auth.sh" render --namespace "$ns" --keys "$dir/keys" --make-keys --superuser bench \
        --out "$dir/accounts.conf" \
        >/dev/null || rf_die "rendering the bus accounts for namespace $ns failed"
    cat >"$dir/nats.conf" <<CONF
# A private bus for namespace $ns (scripts/lib.sh rf_private_bus): TLS, the accounts of deploy/nats/permissions.txt.
server_name: rf-private-$port
listen: 127.0.0.1:$port
jetstream { store_dir: "$dir/jetstream" }
tls {
  cert_file: "$dir/pki/server.pem"
  key_file: "$dir/pki/server.key"
  timeout: 5
}
include ./accounts.conf
CONF
    # A Go profiling endpoint for the benchmarks (curl http://127.0.0.1:$RF_NATS_PROF_PORT/debug/pprof/profile?seconds=20).
    if [[ -n ${RF_NATS_PROF_PORT:-} ]]; then
        printf 'prof_port: %s\n' "$RF_NATS_PROF_PORT" >>"$dir/nats.conf"
    fi
}

# rf_start_bus DIR: starts nats-server on DIR/nats.conf (log DIR/nats.log), waits until it is ready, prints its pid.
rf_start_bus() {
    local dir=$1 bin pid deadline=$((SECONDS + 20))
    bin=$(command -v nats-server || echo /usr/sbin/nats-server)
    : >"$dir/nats.log"
    GOMAXPROCS=${RF_NATS_GOMAXPROCS:-1} "$bin" -c "$dir/nats.conf" -l "$dir/nats.log" </dev/null >/dev/null 2>&1 & # as run-local.sh
    pid=$!
    until grep -q "Server is ready" "$dir/nats.log" 2>/dev/null; do
        if ! rf_pid_alive "$pid" || ((SECONDS >= deadline)); then
            tail -n 20 "$dir/nats.log" >&2 || true
            rf_die "nats-server did not start on $dir/nats.conf"
        fi
        sleep 0.1
    done
    printf '%s\n' "$pid"
}
