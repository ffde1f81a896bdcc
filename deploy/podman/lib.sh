#!/usr/bin/env bash
# Shared by deploy/podman/*.sh: names, images, pods and checks of Rune Forge on podman. Source it; not a command.
# shellcheck disable=SC2034  # variables used by the scripts that source this file

RF_PODMAN_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=scripts/lib.sh
source "$RF_PODMAN_DIR/../../scripts/lib.sh"

# This machine needs runc, cgroupfs and ulimits below its hard limits; an operator's own CONTAINERS_CONF wins.
export CONTAINERS_CONF=${CONTAINERS_CONF:-$RF_PODMAN_DIR/containers.conf}

RF_NETWORK=${RF_NETWORK:-rune-forge}
RF_LABEL=io.runeforge.platform=podman
RF_STATE=${RF_STATE:-/var/tmp/rune-forge-podman}
RF_TAG=${RF_TAG:-dev}
RF_REPO=localhost/rune-forge
RF_HTTP_PORT=${RF_HTTP_PORT:-18080}     # the edge (gateway traffic switch) on 127.0.0.1
RF_BUS_NAMESPACE=${RF_BUS_NAMESPACE:-rf}
RF_SERVICES=(gateway-service auth-service game-instance-service persistence-service media-token-service)
declare -A RF_ADMIN_PORT=(
    [gateway-service]=9080 [auth-service]=9081 [game-instance-service]=9082
    [persistence-service]=9083 [media-token-service]=9084
)
RF_NATS_URL=tls://rf-nats:4222
# The bus's certificates, keys and NATS config (deploy/podman/bus.sh); each container mounts its own part read-only.
RF_BUS_DIR=${RF_BUS_DIR:-$RF_STATE/bus}
RF_DB=runeforge

# podman without the "no systemd to schedule healthchecks" noise of hosts without systemd (the checks are
# run by `platform.sh status` and the waits below instead).
# (Through a file, not a pipe: conmon inherits stderr and would hold a pipe open.)
pm() {
    local err rc=0
    err=$(mktemp)
    podman "$@" 2>"$err" || rc=$?
    grep -v -e 'unable to get systemd connection' -e 'healthcheck: unable to' "$err" >&2 || true
    rm -f "$err"
    return "$rc"
}

rf_image() { printf '%s/%s:%s\n' "$RF_REPO" "$1" "${2:-$RF_TAG}"; }

rf_ts() { date -u +%H:%M:%S; }
rf_step() { printf '[%s] %s\n' "$(rf_ts)" "$*"; }

# Containers of the platform, by pod: each pod has one application container named <pod>-app.
rf_app() { printf '%s-app\n' "$1"; }

rf_pod_exists() { podman pod exists "$1" 2>/dev/null; }

rf_ensure_network() {
    podman network exists "$RF_NETWORK" || podman network create --label "$RF_LABEL" "$RF_NETWORK" >/dev/null
}

# rf_pod_create NAME [podman pod create options...]
rf_pod_create() {
    local name=$1
    shift
    pm pod create --name "$name" --network "$RF_NETWORK" --label "$RF_LABEL" "$@" >/dev/null
}

# The options every Rune Forge service container gets: read-only root, a small /tmp, no capabilities.
# shellcheck disable=SC2054  # commas inside --tmpfs options
RF_SECURE_OPTS=(--read-only --tmpfs /tmp:rw,size=128m,mode=1777 --cap-drop all --security-opt no-new-privileges)

# rf_run_service POD SERVICE [TAG] [extra podman run options...]
rf_run_service() {
    local pod=$1 svc=$2 tag=${3:-$RF_TAG}
    shift 3 || shift $#
    pm run -d --pod "$pod" --name "$(rf_app "$pod")" --label "$RF_LABEL" --label "io.runeforge.service=$svc" \
        "${RF_SECURE_OPTS[@]}" --memory 512m --stop-timeout 30 \
        -e NATS_URL="$RF_NATS_URL" -v "$RF_BUS_DIR/clients/$svc:/etc/rune-forge/bus:ro,z" \
        -e NATS_NKEY_FILE=/etc/rune-forge/bus/nkey -e NATS_TLS_CA=/etc/rune-forge/bus/ca.pem \
        -e BUS_NAMESPACE="$RF_BUS_NAMESPACE" "$@" "$(rf_image "$svc" "$tag")" >/dev/null
}

# GET http://127.0.0.1:PORT/PATH inside container CTR (busybox wget, in every image of the platform).
rf_exec_get() {
    timeout 10 podman exec "$1" /bin/busybox wget -q -O - "http://127.0.0.1:$2$3" 2>/dev/null
}

# True when the image's HEALTHCHECK passes now (podman records the result: `podman ps` shows it).
rf_healthy() {
    [[ $(podman healthcheck run "$1" 2>/dev/null) == healthy ]] || podman healthcheck run "$1" >/dev/null 2>&1
}

rf_ready() { # CTR SERVICE
    rf_exec_get "$1" "${RF_ADMIN_PORT[$2]}" /ready >/dev/null
}

# rf_wait SECONDS COMMAND...: retries COMMAND every second until it succeeds or the time is up.
rf_wait() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS < deadline)) || return 1
        sleep 1
    done
}

rf_service_up() { # CTR SERVICE: healthy (HEALTHCHECK) and ready (dependencies answer)
    rf_healthy "$1" && rf_ready "$1" "$2"
}

# The effective uid of a container's main process, as the host sees it.
rf_ctr_uid() {
    local pid
    pid=$(podman inspect -f '{{.State.Pid}}' "$1" 2>/dev/null) || return 1
    awk '/^Uid:/ {print $3}' "/proc/$pid/status"
}

rf_game_pods() { # all|running
    local filter=()
    [[ ${1:-} == running ]] && filter=(--filter status=running)
    podman pod ls --filter "label=$RF_LABEL" "${filter[@]}" --format '{{.Name}}' | grep -E '^rf-game-[0-9]+$' | sort -t- -k3 -n
}

rf_partitions_owned() { # POD
    rf_exec_get "$(rf_app "$1")" 9082 /metrics | awk '/^rf_game_partitions_owned[ {]/ {printf "%d\n", $NF; found=1} END {if (!found) print 0}'
}

# --- game instances ---------------------------------------------------------------------------------------------

rf_start_game() { # INDEX [TAG]
    local pod=rf-game-$1
    rf_pod_create "$pod" --label io.runeforge.role=game
    rf_run_service "$pod" game-instance-service "${2:-$RF_TAG}" -e GAME_INSTANCE="$pod"
    rf_obs_refresh
}

# SIGTERM (the instance drains: stops fetching, finishes the action in hand, hands its partitions over), then remove.
rf_stop_pod() { # POD [GRACE]
    pm pod stop -t "${2:-30}" "$1" >/dev/null 2>&1 || true
    pm pod rm -f "$1" >/dev/null 2>&1 || true
    rf_obs_refresh
}

# --- gateway and edge -------------------------------------------------------------------------------------------

rf_start_gateway() { # COLOUR [TAG]
    local pod=rf-gateway-$1
    rf_pod_create "$pod" --label io.runeforge.role=gateway --label "io.runeforge.colour=$1"
    # Players come through the edge (nginx, appending X-Forwarded-For) on the podman network: trust it, and only from
    # private addresses; the gateway takes the right-most address that is not one (docs/security.md).
    rf_run_service "$pod" gateway-service "${2:-$RF_TAG}" -e DEV_MODE="${RF_DEV_MODE:-true}" \
        -e HTTP_FORWARDED_TRUST=true -e HTTP_FORWARDED_PROXIES=10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,fd00::/8
    rf_obs_refresh
}

rf_active_colour() { cat "$RF_STATE/gateway.active" 2>/dev/null || echo blue; }
rf_other_colour() { [[ $1 == blue ]] && echo green || echo blue; }

# Writes the edge's nginx config for COLOUR. A reload sends new connections there; open WebSockets stay on the
# worker (and gateway) they were opened on until they close, so a switch breaks nobody's game.
rf_render_edge() {
    mkdir -p "$RF_STATE/edge"
    cat >"$RF_STATE/edge/nginx.conf.new" <<CONF
# Rendered by deploy/podman (active gateway colour: $1). Reload: podman exec rf-edge-app nginx -c /etc/rf-edge/nginx.conf -s reload
worker_processes 1;
pid /tmp/nginx.pid;
error_log stderr warn;
worker_shutdown_timeout 2h;
events { worker_connections 2048; }
http {
    access_log off;
    client_body_temp_path /tmp/client_body;
    proxy_temp_path /tmp/proxy;
    fastcgi_temp_path /tmp/fastcgi;
    uwsgi_temp_path /tmp/uwsgi;
    scgi_temp_path /tmp/scgi;
    map \$http_upgrade \$connection_upgrade { default upgrade; '' close; }
    upstream gateway { server rf-gateway-$1:8080 max_fails=0; }
    server {
        listen 8080;
        location / {
            proxy_pass http://gateway;
            proxy_http_version 1.1;
            proxy_set_header Upgrade \$http_upgrade;
            proxy_set_header Connection \$connection_upgrade;
            proxy_set_header Host \$http_host;
            proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
            proxy_read_timeout 3600s;
            proxy_send_timeout 3600s;
            add_header X-RF-Gateway $1 always;
        }
    }
    server {
        listen 8081;
        location = /edge-health { return 200 "ok $1\n"; }
    }
}
CONF
    mv -f "$RF_STATE/edge/nginx.conf.new" "$RF_STATE/edge/nginx.conf"
}

rf_start_edge() { # COLOUR
    rf_render_edge "$1"
    rf_pod_create rf-edge --label io.runeforge.role=edge -p "127.0.0.1:$RF_HTTP_PORT:8080"
    pm run -d --pod rf-edge --name rf-edge-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
        -v "$RF_STATE/edge:/etc/rf-edge:ro,Z" "$(rf_image rf-edge)" >/dev/null
    echo "$1" >"$RF_STATE/gateway.active"
}

# Points the edge at COLOUR and checks that a new request is answered by it.
rf_switch_edge() {
    rf_render_edge "$1"
    podman exec rf-edge-app /usr/sbin/nginx -c /etc/rf-edge/nginx.conf -t -q 2>/dev/null || return 1
    podman exec rf-edge-app /usr/sbin/nginx -c /etc/rf-edge/nginx.conf -s reload 2>/dev/null || return 1
    echo "$1" >"$RF_STATE/gateway.active"
    # nginx starts the new worker before the old one stops listening: for a moment a new connection can still
    # reach the old colour. Switched = five requests in a row answered by the new one.
    rf_wait 15 rf_edge_serves_steadily "$1"
}

rf_edge_serves_steadily() { # COLOUR
    local i
    for i in 1 2 3 4 5; do
        rf_edge_serves "$1" || return 1
        sleep 0.2
    done
}

rf_edge_serves() { # COLOUR: a new request through the edge reaches that gateway and it answers (not a 5xx)
    local head
    head=$(curl -sS -m 3 -o /dev/null -D - "http://127.0.0.1:$RF_HTTP_PORT/api/auth/me" 2>/dev/null | tr -d '\r')
    [[ $(awk 'NR==1 {print $2}' <<<"$head") =~ ^[234] ]] &&
        [[ $(awk -F': ' 'tolower($1)=="x-rf-gateway" {print $2}' <<<"$head") == "$1" ]]
}

# --- optional observability (platform.sh observability up|down) ----------------------------------------------------

RF_PROMETHEUS_PORT=${RF_PROMETHEUS_PORT:-19090}
RF_GRAFANA_PORT=${RF_GRAFANA_PORT:-13000}
RF_OBS_DIR=$RF_STATE/observability

# file_sd JSON for Prometheus: one group of HOST:PORT targets ("[]" when there are none).
rf_sd_json() {
    if (($# == 0)); then
        echo '[]'
        return
    fi
    local t out=""
    for t in "$@"; do out+="${out:+, }\"$t\""; done
    printf '[{"targets": [%s]}]\n' "$out"
}

rf_sd_write() { # FILE TARGETS...: atomically, so Prometheus never reads half a file
    local file=$1
    shift
    rf_sd_json "$@" >"$file.new"
    mv -f "$file.new" "$file"
}

# Rewrites the targets that move (gateway colours, game instances, the NATS exporter) from the running pods.
# A no-op while the observability pods are not up; scale, roll and the blue-green scripts call it.
rf_obs_refresh() {
    rf_pod_exists rf-prometheus || return 0
    local dir=$RF_OBS_DIR/etc/targets pod gateways=() games=() nats=()
    mkdir -p "$dir"
    for pod in $(podman pod ls --filter "label=$RF_LABEL" --filter status=running --format '{{.Name}}' | sort); do
        case $pod in
        rf-gateway-blue | rf-gateway-green) gateways+=("$pod:9080") ;;
        rf-game-[0-9]*) games+=("$pod:9082") ;;
        rf-nats-exporter) nats+=("$pod:7777") ;;
        esac
    done
    rf_sd_write "$dir/gateway.json" "${gateways[@]}"
    rf_sd_write "$dir/game.json" "${games[@]}"
    rf_sd_write "$dir/nats.json" "${nats[@]}"
}
