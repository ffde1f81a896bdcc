#!/usr/bin/env bash
# Installs and starts what Rune Forge needs on this machine (Debian, as root). Idempotent: run it as often as
# you like; what is already there is left alone.
#
#   scripts/provision.sh           JDK 21+ check, nats-server and the local bus's certificates, keys and config
#                                  (.run/nats), PostgreSQL on 127.0.0.1:5432 with the database runeforge
#   scripts/provision.sh --tests   also Chromium (/usr/bin/chromium), Node.js/npm and the npm packages of e2e/,
#                                  checks/, bench/ and clients/js/, promtool (Debian package prometheus)
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

tests=0
for arg in "$@"; do
    case $arg in
    --tests) tests=1 ;;
    -h | --help)
        sed -n '2,8s/^# \{0,1\}//p' "$0"
        exit 0
        ;;
    *) rf_die "unknown argument: $arg (usage: scripts/provision.sh [--tests])" ;;
    esac
done

NATS_HOST=127.0.0.1
NATS_PORT=${RF_NATS_PORT:-4223}
NATS_DIR=.run/nats
PG_HOST=127.0.0.1
PG_PORT=5432
PG_DB=runeforge

# --- JDK ----------------------------------------------------------------------------------------------------------
java_home=$(rf_java_home)
rf_log "jdk: $java_home ($(rf_java_version "$java_home"))"

# curl: run-local.sh asks the services' /ready with it.
command -v curl >/dev/null || rf_apt_install curl

nats_bin() { command -v nats-server || echo /usr/sbin/nats-server; }
nats_server_version() { "$(nats_bin)" --version 2>/dev/null | head -n 1; }

# --- NATS ---------------------------------------------------------------------------------------------------------
# The bus always runs with authentication and TLS (docs/security.md). What is made here, in .run/nats (git-ignored,
# this checkout's own): a development CA and server certificate (deploy/nats/dev-pki.sh), an nkey per identity of the
# permission table and the server's accounts block rendered from it (deploy/nats/bus-auth.sh), and nats.conf.
# ./run-local.sh starts that server on tls://$NATS_HOST:$NATS_PORT (RF_NATS_PORT, default 4223: beside any stock NATS on
# 4222); the test suite starts one of its own from the same table (common's TestNats).

command -v openssl >/dev/null || rf_apt_install openssl
if [[ -x /usr/sbin/nats-server ]] || command -v nats-server >/dev/null; then
    rf_log "nats: $(nats_bin) ($(nats_server_version))"
else
    rf_apt_install nats-server
    # Debian's package starts its own open server (no auth, no JetStream) on 4222 where systemd runs: not ours.
    if command -v systemctl >/dev/null && systemctl is-active --quiet nats-server 2>/dev/null; then
        systemctl disable --now nats-server >/dev/null 2>&1 || true
    fi
    rf_log "nats: installed $(nats_server_version)"
fi

mkdir -p "$NATS_DIR"
chmod 700 "$NATS_DIR"
deploy/nats/dev-pki.sh "$NATS_DIR/pki" | sed 's/^dev-pki: /nats: /'
# Keys (made once) and the accounts block, re-rendered when the table or its tool changed since.
if [[ ! -s $NATS_DIR/accounts.conf || ! -d $NATS_DIR/keys || deploy/nats/permissions.txt -nt $NATS_DIR/accounts.conf ||
    deploy/nats/BusAuth.java -nt $NATS_DIR/accounts.conf || -n $(find "$NATS_DIR/keys" -newer "$NATS_DIR/accounts.conf" 2>/dev/null) ]]; then
    JAVA_HOME=$java_home deploy/nats/bus-auth.sh render --namespace rf --keys "$NATS_DIR/keys" --make-keys \
        --out "$NATS_DIR/accounts.conf" || rf_die "nats: rendering deploy/nats/permissions.txt failed"
    rf_log "nats: accounts rendered from deploy/nats/permissions.txt into $NATS_DIR/accounts.conf"
fi
cat >"$NATS_DIR/nats.conf.new" <<CONF
# The local bus of ./run-local.sh, written by scripts/provision.sh: TLS with the development CA in pki/, every
# connection one of the identities of accounts.conf (rendered from deploy/nats/permissions.txt).
server_name: rf-local
listen: $NATS_HOST:$NATS_PORT
jetstream { store_dir: "$RF_ROOT/$NATS_DIR/jetstream" }
tls {
  cert_file: "$RF_ROOT/$NATS_DIR/pki/server.pem"
  key_file: "$RF_ROOT/$NATS_DIR/pki/server.key"
  timeout: 5
}
include ./accounts.conf
CONF
mv -f "$NATS_DIR/nats.conf.new" "$NATS_DIR/nats.conf"
"$(nats_bin)" -c "$NATS_DIR/nats.conf" -t >/dev/null 2>&1 ||
    rf_die "nats: $NATS_DIR/nats.conf is invalid: $("$(nats_bin)" -c "$NATS_DIR/nats.conf" -t 2>&1 | tail -n 1)"
rf_log "nats: local bus ready in $NATS_DIR (tls://$NATS_HOST:$NATS_PORT, started by ./run-local.sh)"

# --- PostgreSQL ---------------------------------------------------------------------------------------------------

# "version name" of the local cluster on $PG_PORT (pg_lsclusters), empty when there is none.
pg_cluster() {
    pg_lsclusters -h 2>/dev/null | awk -v port="$PG_PORT" '$3 == port { print $1, $2; exit }'
}

pg_state=running
if ! rf_port_open "$PG_HOST" "$PG_PORT"; then
    if ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null || ! command -v pg_ctlcluster >/dev/null; then
        rf_apt_install postgresql
    fi
    ((EUID == 0)) || rf_die "postgres: not running on $PG_HOST:$PG_PORT; start it as root: pg_ctlcluster --skip-systemctl-redirect <version> main start"
    cluster=$(pg_cluster)
    if [[ -z $cluster ]]; then
        [[ -z $(pg_lsclusters -h 2>/dev/null) ]] ||
            rf_die "postgres: there are PostgreSQL clusters (pg_lsclusters) but none on port $PG_PORT"
        version=$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
        mkdir -p "$(dirname "$RF_PROVISION_LOG")"
        pg_createcluster "$version" main -p "$PG_PORT" >>"$RF_PROVISION_LOG" 2>&1 ||
            rf_die "postgres: pg_createcluster $version main failed (output: $RF_PROVISION_LOG)"
        cluster="$version main"
    fi
    read -r pg_version pg_name <<<"$cluster"
    pg_ctlcluster --skip-systemctl-redirect "$pg_version" "$pg_name" start 2>/dev/null ||
        pg_lsclusters -h | awk -v v="$pg_version" -v n="$pg_name" '$1 == v && $2 == n && $4 == "online" { ok = 1 } END { exit !ok }' ||
        rf_die "postgres: 'pg_ctlcluster --skip-systemctl-redirect $pg_version $pg_name start' failed (log: /var/log/postgresql/postgresql-$pg_version-$pg_name.log)"
    rf_wait_port "$PG_HOST" "$PG_PORT" 30 ||
        rf_die "postgres: cluster $pg_version/$pg_name does not listen on $PG_HOST:$PG_PORT (listen_addresses?)"
    pg_state=started
fi

command -v psql >/dev/null || rf_apt_install postgresql-client

# -w: never ask for a password (CI has no terminal).
pg_sql() { psql -h "$PG_HOST" -p "$PG_PORT" -U postgres -d postgres -w -X -q -tA -v ON_ERROR_STOP=1 -c "$1"; }

# The services and tests log in as postgres over TCP without a password, as on the project's machines. A fresh
# Debian cluster asks local TCP logins for a password: allow 127.0.0.1 and ::1 without one (dev machine only).
if ! pg_out=$(pg_sql 'select 1' 2>&1); then
    cluster=$(pg_cluster)
    hba=""
    [[ -z $cluster ]] || hba=/etc/postgresql/${cluster% *}/${cluster#* }/pg_hba.conf
    if [[ $pg_out == *password* && $EUID -eq 0 && -n $hba && -f $hba ]] && ! grep -q '^# Rune Forge' "$hba"; then
        {
            echo '# Rune Forge (scripts/provision.sh): local TCP logins without a password, for development.'
            echo 'host    all    all    127.0.0.1/32    trust'
            echo 'host    all    all    ::1/128         trust'
            cat "$hba"
        } >"$hba.rf-new"
        chown --reference="$hba" "$hba.rf-new"
        chmod --reference="$hba" "$hba.rf-new"
        mv "$hba.rf-new" "$hba"
        pg_ctlcluster --skip-systemctl-redirect "${cluster% *}" "${cluster#* }" reload
        sleep 1
        rf_log "postgres: allowed password-less logins from 127.0.0.1 and ::1 in $hba"
        pg_out=$(pg_sql 'select 1' 2>&1) || rf_die "postgres: cannot log in as postgres on $PG_HOST:$PG_PORT: $pg_out"
    else
        rf_die "postgres: cannot log in as postgres on $PG_HOST:$PG_PORT without a password: $pg_out"
    fi
fi

if [[ $(pg_sql "select 1 from pg_database where datname = '$PG_DB'") == 1 ]]; then
    rf_log "postgres: $pg_state on $PG_HOST:$PG_PORT, database $PG_DB exists"
else
    # Another provisioner may create it at the same moment: only a database that is still missing is an error.
    createdb -h "$PG_HOST" -p "$PG_PORT" -U postgres -w "$PG_DB" 2>/dev/null ||
        [[ $(pg_sql "select 1 from pg_database where datname = '$PG_DB'") == 1 ]] ||
        rf_die "postgres: createdb $PG_DB failed"
    rf_log "postgres: $pg_state on $PG_HOST:$PG_PORT, database $PG_DB created"
fi

((tests)) || exit 0

# --- test tools ---------------------------------------------------------------------------------------------------

chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ -x $chromium ]]; then
    rf_log "chromium: $chromium"
else
    [[ $chromium == /usr/bin/chromium ]] || rf_die "chromium: CHROMIUM_PATH=$chromium is not an executable"
    rf_apt_install chromium
    [[ -x $chromium ]] || rf_die "chromium: the chromium package did not install $chromium"
    rf_log "chromium: installed $chromium"
fi

# Node.js and npm: whatever the machine has (NodeSource's nodejs brings its own npm); Debian's otherwise.
node_pkgs=()
command -v node >/dev/null || node_pkgs+=(nodejs)
command -v npm >/dev/null || node_pkgs+=(npm)
((${#node_pkgs[@]} == 0)) || rf_apt_install "${node_pkgs[@]}"
node_version=$(node --version)
node_major=${node_version#v}
node_major=${node_major%%.*}
((node_major >= 20)) || rf_warn "node $node_version is older than e2e/package.json asks (>= 20); the browser test may fail"

# npm ci when node_modules is missing or older than the lock file (npm writes node_modules/.package-lock.json last).
# e2e/: the browser test; checks/: the offline manifest and workflow checks; bench/: the load benchmark (LoadBenchIT);
# clients/js/: the client SDK's dev packages (typescript for its type check, ws for its tests and example bot in Node).
for pkg in e2e checks bench clients/js; do
    log=".run/logs/npm-ci-${pkg//\//-}.log"
    if [[ ! -d $pkg/node_modules || ! -f $pkg/node_modules/.package-lock.json ||
        $pkg/package-lock.json -nt $pkg/node_modules/.package-lock.json ]]; then
        mkdir -p .run/logs
        if ! npm ci --prefix "$pkg" --no-audit --no-fund >"$log" 2>&1 </dev/null; then
            tail -n 30 "$log" >&2
            rf_die "$pkg: npm ci failed (full output: $log)"
        fi
        rf_log "$pkg: npm packages installed (node $node_version, npm $(npm --version))"
    else
        rf_log "$pkg: npm packages up to date (node $node_version, npm $(npm --version))"
    fi
done

# promtool: scripts/check-static.sh checks deploy/observability with it; Debian ships it in the prometheus package.
# Only the tool is wanted: where systemd runs, the server (and node exporter) the package starts are disabled again.
if command -v promtool >/dev/null; then
    rf_log "promtool: $(command -v promtool)"
else
    rf_apt_install prometheus
    command -v promtool >/dev/null || rf_die "promtool: the prometheus package did not install promtool"
    if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
        systemctl disable --now prometheus prometheus-node-exporter >/dev/null 2>&1 || true
    fi
    rf_log "promtool: installed $(command -v promtool)"
fi
