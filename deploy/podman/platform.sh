#!/usr/bin/env bash
# Rune Forge as podman pods on one machine (one pod per service on the network `rune-forge`).
#
#   deploy/podman/platform.sh build        build every image offline (debootstrapped Debian base, this machine's
#                                          Temurin 25 JDK); installs podman, runc, debootstrap if missing
#   deploy/podman/platform.sh up [N]       start NATS, PostgreSQL, auth, persistence, media-token, gateway (blue),
#                                          the edge (http://127.0.0.1:18080) and N game instances (default 1)
#   deploy/podman/platform.sh scale N      add or remove game-instance pods (removal drains them: SIGTERM)
#   deploy/podman/platform.sh roll [TAG]   rolling replace of the game instances with TAG, one at a time
#   deploy/podman/platform.sh status       pods, health, readiness, uid and partitions owned
#   deploy/podman/platform.sh down [--images]  remove pods, containers, network, volumes, secrets (and images)
#   deploy/podman/platform.sh systemd [DIR]    podman generate systemd --new --files for every running pod
#   deploy/podman/platform.sh test         all of the above for real, with a WebSocket client; PASS/FAIL per step
#   deploy/podman/platform.sh observability up|down   optional: Prometheus (http://127.0.0.1:19090, the alert
#                                          rules loaded) and the PostgreSQL exporter from Debian's packages; Grafana
#                                          (http://127.0.0.1:13000) and the NATS exporter when their public images
#                                          can be pulled (RF_GRAFANA_IMAGE, RF_NATS_EXPORTER_IMAGE)
#
# Environment: RF_TAG (image tag, default dev), RF_HTTP_PORT (18080), RF_STATE (/var/tmp/rune-forge-podman),
# RF_NO_JARS=1 (build: use the jars already in */target); up: AUTH_OIDC_ISSUER, AUTH_OIDC_CLIENT_ID,
# AUTH_OIDC_CLIENT_SECRET, AUTH_OIDC_REDIRECT_URI for sign-in with an OpenID Connect provider (optional).
# Blue-green of the gateway: bluegreen.sh, rollback.sh.
set -euo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/lib.sh"

usage() { sed -n '2,22s/^# \{0,1\}//p' "$0"; }

# --- build ------------------------------------------------------------------------------------------------------

build_base() {
    if podman image exists localhost/rf-debian:bookworm; then return 0; fi
    rf_step "build: debootstrap Debian bookworm (minbase) -> localhost/rf-debian:bookworm"
    local root=$RF_STATE/rootfs
    rm -rf "$root"
    mkdir -p "$RF_STATE"
    debootstrap --variant=minbase --include=busybox-static,ca-certificates bookworm "$root" \
        "${RF_DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$RF_STATE/debootstrap.log" 2>&1 ||
        { tail -n 20 "$RF_STATE/debootstrap.log" >&2; return 1; }
    rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* \
        "$root"/usr/share/man/* "$root"/usr/share/locale/* "$root"/var/log/*.log
    tar -C "$root" -c . | podman import --change 'CMD ["/bin/bash"]' - localhost/rf-debian:bookworm >/dev/null
    rm -rf "$root"
}

build_jdk() {
    if podman image exists localhost/rf-jdk:25; then return 0; fi
    local jdk
    jdk=$(rf_java_home)
    rf_step "build: localhost/rf-jdk:25 from $jdk"
    rm -rf "$RF_STATE/jdk"
    cp -rL "$jdk" "$RF_STATE/jdk" # the JDK's links (cacerts, legal/) become files
    pm build -q -f "$RF_PODMAN_DIR/images/jdk.Containerfile" -t localhost/rf-jdk:25 "$RF_STATE/jdk" >/dev/null
    rm -rf "$RF_STATE/jdk"
}

build_local() { # NAME: rf-NAME from images/NAME.Containerfile on the Debian base, with Debian's packages
    local img
    img=$(rf_image "rf-$1")
    rf_step "build: $img"
    pm build -q --format docker --network host --build-arg BASE=localhost/rf-debian:bookworm \
        -f "$RF_PODMAN_DIR/images/$1.Containerfile" -t "$img" "$RF_PODMAN_DIR/images" >/dev/null
}

cmd_build() {
    rf_apt_install podman runc debootstrap curl
    mkdir -p "$RF_STATE"
    local root version revision svc img
    root=$(cd "$RF_PODMAN_DIR/../.." && pwd)
    if [[ ${RF_NO_JARS:-0} != 1 ]]; then
        rf_step "build: jars (./mvnw -B -o -q -DskipTests package)"
        (cd "$root" && JAVA_HOME=$(rf_java_home) ./mvnw -B -o -q -DskipTests package)
    fi
    build_base
    build_jdk
    version=$(sed -n 's:^  <version>\(.*\)</version>:\1:p' "$root/pom.xml" | head -n 1)
    revision=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)
    for svc in "${RF_SERVICES[@]}"; do
        img=$(rf_image "$svc")
        rf_step "build: $img"
        pm build -q --format docker -f "$root/deploy/containers/Containerfile" \
            --build-arg JDK_IMAGE=localhost/rf-jdk:25 --build-arg SERVICE="$svc" \
            --build-arg VERSION="$version" --build-arg REVISION="$revision" \
            -t "$img" "$root" >/dev/null
    done
    for svc in nats postgres edge; do build_local "$svc"; done
    podman image prune -f >/dev/null
    rf_step "build: images"
    podman images --filter "reference=$RF_REPO/*:$RF_TAG" --format '  {{.Repository}}:{{.Tag}}  {{.Size}}'
}

# --- up / scale / status / down ---------------------------------------------------------------------------------

wait_up() { # CTR SERVICE|- TIMEOUT
    local ctr=$1 svc=$2
    if [[ $svc == - ]]; then
        rf_wait "$3" rf_healthy "$ctr"
    else
        rf_wait "$3" rf_service_up "$ctr" "$svc"
    fi || { rf_err "$ctr is not up after $3 s; its log:"; podman logs --tail 30 "$ctr" >&2 || true; return 1; }
}

# Sign-in with an OpenID Connect provider (optional; docs/operations.md, auth.oidc.*), when AUTH_OIDC_ISSUER is set
# in this script's environment: auth-service gets the issuer, AUTH_OIDC_CLIENT_ID, AUTH_OIDC_REDIRECT_URI (default:
# the edge's callback) and the client secret as a file (AUTH_OIDC_CLIENT_SECRET_FILE), from the podman secret
# rf-oidc-client-secret, made from AUTH_OIDC_CLIENT_SECRET the first time. Fills the caller's array `oidc`.
oidc_opts() {
    [[ -n ${AUTH_OIDC_ISSUER:-} ]] || return 0
    : "${AUTH_OIDC_CLIENT_ID:?AUTH_OIDC_ISSUER is set: set AUTH_OIDC_CLIENT_ID too}"
    if ! podman secret inspect rf-oidc-client-secret >/dev/null 2>&1; then
        : "${AUTH_OIDC_CLIENT_SECRET:?AUTH_OIDC_ISSUER is set: set AUTH_OIDC_CLIENT_SECRET (kept as the podman secret rf-oidc-client-secret)}"
        printf '%s' "$AUTH_OIDC_CLIENT_SECRET" | podman secret create rf-oidc-client-secret - >/dev/null
    fi
    oidc=(-e "AUTH_OIDC_ISSUER=$AUTH_OIDC_ISSUER" -e "AUTH_OIDC_CLIENT_ID=$AUTH_OIDC_CLIENT_ID"
        -e "AUTH_OIDC_REDIRECT_URI=${AUTH_OIDC_REDIRECT_URI:-http://127.0.0.1:$RF_HTTP_PORT/api/auth/callback}"
        --secret rf-oidc-client-secret,type=mount,target=/run/secrets/oidc-client-secret
        -e AUTH_OIDC_CLIENT_SECRET_FILE=/run/secrets/oidc-client-secret)
}

cmd_up() {
    local n=${1:-1}
    mkdir -p "$RF_STATE"
    rf_ensure_network
    if ! podman secret inspect rf-db-password >/dev/null 2>&1; then
        head -c 24 /dev/urandom | base64 | tr -d '/+=\n' | podman secret create rf-db-password - >/dev/null
    fi
    # auth-service seals its signing keys with this (AES-256-GCM; base64 of 32 random bytes).
    if ! podman secret inspect rf-auth-keys >/dev/null 2>&1; then
        head -c 32 /dev/urandom | base64 | tr -d '\n' | podman secret create rf-auth-keys - >/dev/null
    fi
    # The bus: a CA, the server certificate, an nkey per identity and the accounts rendered from the permission table.
    RF_BUS_NAMESPACE=$RF_BUS_NAMESPACE "$RF_PODMAN_DIR/bus.sh" "$RF_BUS_DIR" >/dev/null
    if ! rf_pod_exists rf-nats; then
        rf_step "up: rf-nats (JetStream, TLS, the bus permission table)"
        podman volume exists rf-nats-data || podman volume create --label "$RF_LABEL" rf-nats-data >/dev/null
        rf_pod_create rf-nats
        pm run -d --pod rf-nats --name rf-nats-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
            -v rf-nats-data:/data:U -v "$RF_BUS_DIR/nats:/etc/nats:ro,z" "$(rf_image rf-nats)" >/dev/null
    fi
    if ! rf_pod_exists rf-postgres; then
        rf_step "up: rf-postgres"
        podman volume exists rf-pgdata || podman volume create --label "$RF_LABEL" rf-pgdata >/dev/null
        rf_pod_create rf-postgres
        pm run -d --pod rf-postgres --name rf-postgres-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
            --secret rf-db-password,type=env,target=POSTGRES_PASSWORD -e POSTGRES_DB="$RF_DB" \
            -v rf-pgdata:/var/lib/postgresql/data:U "$(rf_image rf-postgres)" >/dev/null
    fi
    wait_up rf-nats-app - 60
    wait_up rf-postgres-app - 60
    local pod svc
    for pod in auth persistence media-token; do
        svc=$pod-service
        rf_pod_exists "rf-$pod" && continue
        rf_step "up: rf-$pod"
        rf_pod_create "rf-$pod"
        if [[ $pod == persistence ]]; then
            rf_run_service "rf-$pod" "$svc" "$RF_TAG" --secret rf-db-password,type=env,target=DB_PASSWORD \
                -e DB_URL="jdbc:postgresql://rf-postgres:5432/$RF_DB" -e DB_USER=postgres
        elif [[ $pod == auth ]]; then
            local oidc=()
            oidc_opts
            rf_run_service "rf-$pod" "$svc" "$RF_TAG" --secret rf-auth-keys,type=env,target=AUTH_KEYS_SECRET "${oidc[@]}"
        else
            rf_run_service "rf-$pod" "$svc" "$RF_TAG"
        fi
    done
    local colour
    colour=$(rf_active_colour)
    if ! rf_pod_exists "rf-gateway-$colour"; then
        rf_step "up: rf-gateway-$colour"
        rf_start_gateway "$colour"
    fi
    cmd_scale "$n" nowait
    for pod in auth persistence media-token "gateway-$colour"; do
        svc=${pod%-blue}
        svc=${svc%-green}-service
        wait_up "rf-$pod-app" "$svc" 120
    done
    for pod in $(rf_game_pods all); do wait_up "$(rf_app "$pod")" game-instance-service 120; done
    if ! rf_pod_exists rf-edge; then
        rf_step "up: rf-edge -> rf-gateway-$colour on http://127.0.0.1:$RF_HTTP_PORT"
        rf_start_edge "$colour"
    fi
    wait_up rf-edge-app - 30
    rf_wait 20 rf_edge_serves "$colour"
    rf_step "up: Rune Forge is running on http://127.0.0.1:$RF_HTTP_PORT ($(rf_game_pods | wc -l) game instance(s))"
}

cmd_scale() {
    local n=$1 wait=${2:-wait} i pod have=()
    [[ $n =~ ^[0-9]+$ ]] || rf_die "scale: N must be a number"
    rf_ensure_network
    mapfile -t have < <(rf_game_pods all)
    for ((i = 1; i <= n; i++)); do
        rf_pod_exists "rf-game-$i" && continue
        rf_step "scale: start rf-game-$i"
        rf_start_game "$i"
    done
    for pod in "${have[@]}"; do
        i=${pod#rf-game-}
        if ((i > n)); then
            rf_step "scale: drain and remove $pod (SIGTERM: it hands its partitions over)"
            rf_stop_pod "$pod" 30
        fi
    done
    [[ $wait == wait ]] || return 0
    for pod in $(rf_game_pods all); do wait_up "$(rf_app "$pod")" game-instance-service 120; done
}

# Rolling replace of the game instances: one at a time, SIGTERM (drain, partitions handed to the others), then
# the same pod again on TAG, ready and owning partitions before the next one goes.
cmd_roll() {
    local tag=${1:-$RF_TAG} pod i pods
    mapfile -t pods < <(rf_game_pods all)
    ((${#pods[@]} >= 2)) || rf_warn "roll: with one game instance its sessions pause while it restarts"
    podman image exists "$(rf_image game-instance-service "$tag")" || rf_die "roll: no image $(rf_image game-instance-service "$tag")"
    podman inspect -f '{{.ImageName}}' "$(rf_app "${pods[0]}")" | sed 's/.*://' >"$RF_STATE/game.previous-tag"
    for pod in "${pods[@]}"; do
        i=${pod#rf-game-}
        rf_step "roll: $pod -> $tag (drain, replace)"
        rf_stop_pod "$pod" 30
        rf_start_game "$i" "$tag"
        wait_up "$(rf_app "$pod")" game-instance-service 120 || return 1
        rf_wait 60 owns_partitions "$pod" || { rf_err "roll: $pod took no partitions"; return 1; }
    done
    echo "$tag" >"$RF_STATE/game.tag"
}

owns_partitions() { (($(rf_partitions_owned "$1") > 0)); }

cmd_status() {
    local ctr svc health ready uid parts image
    printf '%-24s %-48s %-9s %-6s %-5s %s\n' CONTAINER IMAGE HEALTH READY UID PARTITIONS
    while read -r ctr <&3; do
        svc=$(podman inspect -f '{{index .Config.Labels "io.runeforge.service"}}' "$ctr" 2>/dev/null || true)
        image=$(podman inspect -f '{{.ImageName}}' "$ctr")
        if [[ $(podman inspect -f '{{.State.Running}}' "$ctr") != true ]]; then
            printf '%-24s %-48s %s\n' "$ctr" "$image" "$(podman inspect -f '{{.State.Status}}' "$ctr")"
            continue
        fi
        health=unhealthy
        rf_healthy "$ctr" && health=healthy
        ready=-
        parts=-
        if [[ -n $svc && $svc != "<no value>" ]]; then
            ready=no
            rf_ready "$ctr" "$svc" && ready=yes
            [[ $svc == game-instance-service ]] && parts=$(rf_partitions_owned "${ctr%-app}")
        fi
        uid=$(rf_ctr_uid "$ctr")
        printf '%-24s %-48s %-9s %-6s %-5s %s\n' "$ctr" "$image" "$health" "$ready" "$uid" "$parts"
    done 3< <(podman ps -a --filter "label=$RF_LABEL" --format '{{.Names}}' | grep -- '-app$' | sort)
    echo "gateway: $(rf_active_colour) is live on http://127.0.0.1:$RF_HTTP_PORT"
}

cmd_down() {
    local pods
    # By label, and by name for pods and volumes that `podman kube play` made from deploy/podman/kube.
    mapfile -t pods < <({
        podman pod ls --filter "label=$RF_LABEL" --format '{{.Name}}'
        podman pod ls --format '{{.Name}}' | grep -E '^rf-(nats|postgres|auth|persistence|media-token|gateway-(blue|green)|edge|game-[0-9]+|prometheus|pg-exporter|nats-exporter|grafana)$' || true
    } | sort -u)
    if ((${#pods[@]} > 0)); then
        rf_step "down: stopping ${#pods[@]} pod(s)"
        pm pod stop -t 20 "${pods[@]}" >/dev/null 2>&1 || true
        pm pod rm -f "${pods[@]}" >/dev/null
    fi
    podman ps -aq --filter "label=$RF_LABEL" | xargs -r podman rm -f >/dev/null 2>&1 || true
    { podman volume ls -q --filter "label=$RF_LABEL"; podman volume ls -q | grep -x -e rf-nats-data -e rf-pgdata || true; } |
        sort -u | xargs -r podman volume rm -f >/dev/null
    local secret
    for secret in rf-db-password rf-auth-keys rf-oidc-client-secret rf-grafana-admin; do
        if podman secret inspect "$secret" >/dev/null 2>&1; then podman secret rm "$secret" >/dev/null; fi
    done
    if podman network exists "$RF_NETWORK"; then podman network rm -f "$RF_NETWORK" >/dev/null; fi
    rm -rf "$RF_STATE/edge" "$RF_STATE/gateway.active" "$RF_STATE"/game.* "$RF_OBS_DIR" "$RF_BUS_DIR"
    if [[ ${1:-} == --images ]]; then
        { podman images --format '{{.Repository}}:{{.Tag}}' | grep -E "^($RF_REPO/|localhost/rf-)" || true; } |
            xargs -r podman rmi -f >/dev/null
        podman image prune -f >/dev/null
    fi
    rf_step "down: done"
}

# Systemd units for every running pod (podman generate systemd --new: each start creates the pod afresh).
cmd_systemd() {
    local dir=${1:-$RF_STATE/systemd} pod n=0
    mkdir -p "$dir"
    for pod in $(podman pod ls --filter "label=$RF_LABEL" --filter status=running --format '{{.Name}}' | sort); do
        (cd "$dir" && pm generate systemd --new --files --name --restart-policy=always --stop-timeout 30 "$pod" >/dev/null)
        n=$((n + 1))
    done
    rf_step "systemd: units of $n pods in $dir: $(cd "$dir" && find . -name '*.service' | wc -l) files"
}

# --- optional observability ------------------------------------------------------------------------------------

obs_pull() { # IMAGE: true when the image is here or could be pulled (a public registry is reachable)
    podman image exists "$1" || timeout 120 podman pull -q "$1" >/dev/null 2>&1
}

obs_targets_up() { # every active target of rf-prometheus reports up
    local json
    json=$(curl -sf -m 3 "http://127.0.0.1:$RF_PROMETHEUS_PORT/api/v1/targets?state=active") || return 1
    [[ $(jq '[.data.activeTargets[]] | length' <<<"$json") -gt 0 ]] &&
        [[ $(jq '[.data.activeTargets[] | select(.health != "up")] | length' <<<"$json") == 0 ]]
}

cmd_observability_up() {
    rf_pod_exists rf-nats || rf_die "observability: the platform is not up (platform.sh up first)"
    rf_apt_install curl jq
    local root etc
    root=$(cd "$RF_PODMAN_DIR/../.." && pwd)
    etc=$RF_OBS_DIR/etc
    podman image exists "$(rf_image rf-prometheus)" || { build_base && build_local prometheus; }
    mkdir -p "$etc/rules" "$etc/targets"
    cp "$root/deploy/observability/prometheus-podman.yml" "$etc/prometheus.yml"
    cp "$root"/deploy/observability/rules/*.rules.yml "$etc/rules/"
    if ! rf_pod_exists rf-pg-exporter; then
        rf_step "observability: rf-pg-exporter (Debian's prometheus-postgres-exporter)"
        rf_pod_create rf-pg-exporter --label io.runeforge.role=observability
        pm run -d --pod rf-pg-exporter --name rf-pg-exporter-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
            --secret rf-db-password,type=env,target=DATA_SOURCE_PASS --entrypoint /usr/bin/prometheus-postgres-exporter \
            -e DATA_SOURCE_URI="rf-postgres:5432/$RF_DB?sslmode=disable" -e DATA_SOURCE_USER=postgres \
            --health-cmd "/bin/busybox wget -q -O /dev/null http://127.0.0.1:9187/metrics" \
            "$(rf_image rf-prometheus)" --web.listen-address=:9187 >/dev/null
    fi
    local nats_image=${RF_NATS_EXPORTER_IMAGE:-docker.io/natsio/prometheus-nats-exporter:0.15.0}
    if ! rf_pod_exists rf-nats-exporter; then
        if obs_pull "$nats_image"; then
            rf_step "observability: rf-nats-exporter ($nats_image)"
            rf_pod_create rf-nats-exporter --label io.runeforge.role=observability
            pm run -d --pod rf-nats-exporter --name rf-nats-exporter-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
                --user 10001:10001 "$nats_image" -varz -connz -jsz=all http://rf-nats:8222 >/dev/null
        else
            rf_warn "observability: no NATS exporter ($nats_image cannot be pulled here; set RF_NATS_EXPORTER_IMAGE)"
        fi
    fi
    if ! rf_pod_exists rf-prometheus; then
        rf_step "observability: rf-prometheus on http://127.0.0.1:$RF_PROMETHEUS_PORT"
        podman volume exists rf-prometheus-data || podman volume create --label "$RF_LABEL" rf-prometheus-data >/dev/null
        rf_pod_create rf-prometheus --label io.runeforge.role=observability -p "127.0.0.1:$RF_PROMETHEUS_PORT:9090"
        pm run -d --pod rf-prometheus --name rf-prometheus-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" \
            -v "$etc:/etc/rune-forge:ro,Z" -v rf-prometheus-data:/prometheus:U "$(rf_image rf-prometheus)" >/dev/null
    fi
    rf_obs_refresh
    local grafana_image=${RF_GRAFANA_IMAGE:-docker.io/grafana/grafana:11.3.0}
    if ! rf_pod_exists rf-grafana; then
        if obs_pull "$grafana_image"; then
            rf_step "observability: rf-grafana ($grafana_image) on http://127.0.0.1:$RF_GRAFANA_PORT (admin password: podman secret rf-grafana-admin)"
            podman secret inspect rf-grafana-admin >/dev/null 2>&1 ||
                head -c 18 /dev/urandom | base64 | tr -d '/+=\n' | podman secret create rf-grafana-admin - >/dev/null
            mkdir -p "$RF_OBS_DIR/grafana/datasources"
            sed 's|url: http://127.0.0.1:9090|url: http://rf-prometheus:9090|' \
                "$root/deploy/observability/grafana/provisioning/datasources/prometheus.yml" \
                >"$RF_OBS_DIR/grafana/datasources/prometheus.yml"
            rf_pod_create rf-grafana --label io.runeforge.role=observability -p "127.0.0.1:$RF_GRAFANA_PORT:3000"
            pm run -d --pod rf-grafana --name rf-grafana-app --label "$RF_LABEL" "${RF_SECURE_OPTS[@]}" --user 472:472 \
                --secret rf-grafana-admin,type=env,target=GF_SECURITY_ADMIN_PASSWORD \
                --tmpfs /var/lib/grafana:rw,size=256m,mode=1777 \
                -v "$RF_OBS_DIR/grafana/datasources:/etc/grafana/provisioning/datasources:ro,Z" \
                -v "$root/deploy/observability/grafana/provisioning/dashboards:/etc/grafana/provisioning/dashboards:ro,Z" \
                -v "$root/deploy/observability/grafana/dashboards:/var/lib/grafana/dashboards/rune-forge:ro,Z" \
                "$grafana_image" >/dev/null
        else
            rf_warn "observability: no Grafana ($grafana_image cannot be pulled here; set RF_GRAFANA_IMAGE); the dashboards are in deploy/observability/grafana"
        fi
    fi
    wait_up rf-prometheus-app - 60
    wait_up rf-pg-exporter-app - 60
    rf_wait 60 obs_targets_up || {
        rf_err "observability: targets not all up after 60 s:"
        curl -sf "http://127.0.0.1:$RF_PROMETHEUS_PORT/api/v1/targets?state=active" |
            jq -r '.data.activeTargets[] | "  \(.labels.job) \(.scrapeUrl) \(.health) \(.lastError)"' >&2
        return 1
    }
    rf_step "observability: $(curl -sf "http://127.0.0.1:$RF_PROMETHEUS_PORT/api/v1/targets?state=active" |
        jq -r '[.data.activeTargets[] | .labels.job] | group_by(.) | map("\(.[0])=\(length)") | join(" ")') all up;" \
        "$(curl -sf "http://127.0.0.1:$RF_PROMETHEUS_PORT/api/v1/rules" | jq '[.data.groups[].rules[]] | length') rules loaded"
}

cmd_observability_down() {
    local pod
    for pod in rf-grafana rf-prometheus rf-nats-exporter rf-pg-exporter; do
        rf_pod_exists "$pod" && rf_stop_pod "$pod" 10
    done
    podman volume exists rf-prometheus-data && podman volume rm -f rf-prometheus-data >/dev/null
    if podman secret inspect rf-grafana-admin >/dev/null 2>&1; then podman secret rm rf-grafana-admin >/dev/null; fi
    rm -rf "$RF_OBS_DIR"
    rf_step "observability: down"
}

# Prints what of the platform is left (nothing, after down).
leftovers() {
    {
        podman pod ls --format 'pod {{.Name}}' | grep '^pod rf-'
        podman ps -a --format 'container {{.Names}}' | grep '^container rf-'
        podman ps -a --filter "label=$RF_LABEL" --format 'container {{.Names}}'
        podman volume ls --format 'volume {{.Name}}' | grep '^volume rf-'
        podman volume ls --filter "label=$RF_LABEL" --format 'volume {{.Name}}'
        podman network exists "$RF_NETWORK" && echo "network $RF_NETWORK"
        podman secret inspect rf-db-password >/dev/null 2>&1 && echo "secret rf-db-password"
        podman secret inspect rf-auth-keys >/dev/null 2>&1 && echo "secret rf-auth-keys"
        podman secret inspect rf-oidc-client-secret >/dev/null 2>&1 && echo "secret rf-oidc-client-secret"
        podman secret inspect rf-grafana-admin >/dev/null 2>&1 && echo "secret rf-grafana-admin"
        [[ -e $RF_BUS_DIR ]] && echo "bus files $RF_BUS_DIR"
        curl -s -m 2 -o /dev/null "http://127.0.0.1:$RF_HTTP_PORT/" && echo "port $RF_HTTP_PORT still answers"
    } | sort -u || true
}

case ${1:-} in
build) cmd_build ;;
up) cmd_up "${2:-1}" ;;
scale) cmd_scale "${2:?scale N}" ;;
roll) cmd_roll "${2:-}" ;;
status) cmd_status ;;
down) cmd_down "${2:-}" ;;
test) exec "$RF_PODMAN_DIR/test/platform-test.sh" "${@:2}" ;;
systemd) cmd_systemd "${2:-}" ;;
observability)
    case ${2:-} in
    up) cmd_observability_up ;;
    down) cmd_observability_down ;;
    *) rf_die "observability up|down" ;;
    esac
    ;;
leftovers) leftovers ;;
-h | --help | "") usage ;;
*)
    usage >&2
    exit 2
    ;;
esac
