#!/usr/bin/env bash
# The platform test on podman, for real (not part of ./run-tests.sh: it builds images and takes minutes).
#
#   deploy/podman/platform.sh test [--no-build]
#
# Steps, each printing PASS or FAIL from a real check: build every image; up; every container healthy, ready
# and running as non-root; a WebSocket client plays a dice room through the edge and gateway pods; scale 3 (each
# game instance owns partitions, 64 in all); the optional observability pods (Prometheus scrapes every pod, its
# game-instance targets follow a kill and a replacement); podman kill of a game-instance pod while a client plays: no
# acknowledged action lost; rolling replace of the game instances while a client plays; blue-green switch of the
# gateway and rollback while a client plays: no error; backup, drop, restore, row counts equal; the kube YAML
# played with `podman kube play`; down leaves nothing behind. Exit status 0 only when every step passed.
set -uo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/../lib.sh"

ROOT=$(cd "$RF_PODMAN_DIR/../.." && pwd)
JAVA=$(rf_java_home)/bin/java
CLIENT=(env -u JDK_JAVA_OPTIONS "$JAVA" -cp "$ROOT/gateway-service/target/libs/*" "$RF_PODMAN_DIR/test/PlayClient.java")
URL=http://127.0.0.1:$RF_HTTP_PORT
WORK=$RF_STATE/test
mkdir -p "$WORK"
passed=0
failed=0
results=()

result() { # PASS|FAIL STEP DETAIL
    local line
    line=$(printf '%s %s: %s' "$1" "$2" "$3")
    printf '[%s] %s\n' "$(rf_ts)" "$line"
    results+=("$line")
    if [[ $1 == PASS ]]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
}

# A client that plays until $WORK/stop-<name> exists; its summary goes to $WORK/<name>.out.
soak_start() { # NAME
    rm -f "$WORK/stop-$1" "$WORK/$1.out"
    "${CLIENT[@]}" "$URL" "$1" soak "$WORK/stop-$1" 1500 >"$WORK/$1.out" 2>&1 &
    echo $! >"$WORK/$1.pid"
}
soak_stop() { # NAME: stops it, waits, prints its summary; status 0 when the client found nothing wrong
    local pid status=0
    touch "$WORK/stop-$1"
    pid=$(cat "$WORK/$1.pid")
    wait "$pid" || status=$?
    grep '^client:' "$WORK/$1.out" || tail -n 5 "$WORK/$1.out"
    return "$status"
}
summary() { grep -m1 '^client:' "$WORK/$1.out" | sed 's/^client: //'; }
wait_actions() { # NAME N: until the soak client has sent N actions (approximately: N * 1.5 s)
    sleep "$(($2 * 3 / 2))"
}

step_build() {
    local ok=0 sizes
    if [[ ${1:-} == --no-build ]]; then
        RF_NO_JARS=1 "$RF_PODMAN_DIR/platform.sh" build >"$WORK/build.log" 2>&1 && ok=1
    else
        "$RF_PODMAN_DIR/platform.sh" build >"$WORK/build.log" 2>&1 && ok=1
    fi
    if ((ok)); then
        sizes=$(podman images --filter "reference=$RF_REPO/*:$RF_TAG" --format '{{.Repository}}={{.Size}}' | sed "s|$RF_REPO/||" | sort | paste -sd ' ')
        result PASS build "8 images: $sizes"
    else
        tail -n 20 "$WORK/build.log"
        result FAIL build "see $WORK/build.log"
        return 1
    fi
}

step_health() {
    local ctr uid bad=() n=0 svc
    while read -r ctr <&3; do
        n=$((n + 1))
        uid=$(rf_ctr_uid "$ctr")
        svc=$(podman inspect -f '{{index .Config.Labels "io.runeforge.service"}}' "$ctr")
        rf_healthy "$ctr" || bad+=("$ctr:unhealthy")
        [[ $uid =~ ^[0-9]+$ && $uid != 0 ]] || bad+=("$ctr:uid=$uid")
        [[ $(podman inspect -f '{{.HostConfig.ReadonlyRootfs}}' "$ctr") == true ]] || bad+=("$ctr:writable-root")
        if [[ -n $svc && $svc != "<no value>" ]]; then rf_ready "$ctr" "$svc" || bad+=("$ctr:not-ready"); fi
    done 3< <(podman ps --filter "label=$RF_LABEL" --format '{{.Names}}' | grep -- '-app$' | sort)
    if ((${#bad[@]} == 0 && n > 0)); then
        result PASS "$1" "$n containers healthy (HEALTHCHECK), ready, non-root (uid 10001), read-only root"
    else
        result FAIL "$1" "$n containers; problems: ${bad[*]:-none running}"
    fi
}

partitions_line() {
    local pod out=()
    for pod in $(rf_game_pods running); do out+=("$pod=$(rf_partitions_owned "$pod")"); done
    echo "${out[*]}"
}
partitions_ok() { # N: N game pods, each owns some, 64 in all
    local pod total=0 count=0 p
    for pod in $(rf_game_pods running); do
        p=$(rf_partitions_owned "$pod")
        ((p > 0)) || return 1
        total=$((total + p))
        count=$((count + 1))
    done
    ((count == $1 && total == 64))
}

# A second release of SERVICE, tag `next`: the same jars with another revision label, so a distinct image.
build_next() {
    pm build -q --format docker -f "$ROOT/deploy/containers/Containerfile" --build-arg JDK_IMAGE=localhost/rf-jdk:25 \
        --build-arg SERVICE="$1" --build-arg REVISION="$(git -C "$ROOT" rev-parse HEAD)-next" \
        -t "$(rf_image "$1" next)" "$ROOT" >/dev/null
}

t0=$SECONDS
echo "Rune Forge podman platform test ($(date -u +%FT%TZ), podman $(podman --version | awk '{print $3}'), commit $(git -C "$ROOT" rev-parse --short HEAD))"
"$RF_PODMAN_DIR/platform.sh" down >/dev/null 2>&1 || true

# 1. build
step_build "${1:-}" || { echo "build failed; stopping"; exit 1; }

# 2. up
if "$RF_PODMAN_DIR/platform.sh" up 1 >"$WORK/up.log" 2>&1; then
    result PASS up "8 pods (nats, postgres, auth, persistence, media-token, gateway-blue, edge, game-1) on network $RF_NETWORK, edge on $URL"
else
    tail -n 20 "$WORK/up.log"
    result FAIL up "see $WORK/up.log"
fi
step_health health

# systemd units for production, generated from the running pods
rm -rf "$WORK/systemd"
if "$RF_PODMAN_DIR/platform.sh" systemd "$WORK/systemd" >"$WORK/systemd.log" 2>&1; then
    units=$(find "$WORK/systemd" -name 'pod-*.service' | wc -l)
    ctrs=$(find "$WORK/systemd" -name 'container-*.service' | wc -l)
    if ((units == 8 && ctrs == 8)) && grep -q -- '--replace' "$WORK/systemd/pod-rf-gateway-blue.service"; then
        result PASS "systemd units" "podman generate systemd --new: $units pod units + $ctrs container units in $WORK/systemd"
    else
        result FAIL "systemd units" "$units pod units, $ctrs container units"
    fi
else
    result FAIL "systemd units" "see $WORK/systemd.log"
fi

# 3. play a dice room through the edge and the gateway pod
if "${CLIENT[@]}" "$URL" Ada play 5 >"$WORK/play.out" 2>&1; then
    result PASS play "WebSocket through rf-edge -> rf-gateway-blue: $(grep '^client:' "$WORK/play.out" | sed 's/^client: //')"
else
    result FAIL play "$(tail -n 3 "$WORK/play.out" | tr '\n' ' ')"
fi

# 4. scale 3
if "$RF_PODMAN_DIR/platform.sh" scale 3 >"$WORK/scale.log" 2>&1 && rf_wait 60 partitions_ok 3; then
    result PASS "scale 3" "partitions owned: $(partitions_line)"
else
    result FAIL "scale 3" "partitions owned: $(partitions_line); see $WORK/scale.log"
fi

# 4b. optional observability: Prometheus scrapes every pod (game instances from the file the scripts keep current)
obs_game_targets() { # the game-instance targets Prometheus scrapes and reports up, sorted, space-separated
    curl -sf -m 3 "http://127.0.0.1:$RF_PROMETHEUS_PORT/api/v1/targets?state=active" |
        jq -r '[.data.activeTargets[] | select(.labels.job == "game-instance-service" and .health == "up") | .labels.instance] | sort | join(" ")'
}
obs_expect_games() { [[ $(obs_game_targets) == "$1" ]]; }
if "$RF_PODMAN_DIR/platform.sh" observability up >"$WORK/observability.log" 2>&1 &&
    rf_wait 60 obs_expect_games "rf-game-1:9082 rf-game-2:9082 rf-game-3:9082"; then
    result PASS "observability" "$(grep -o 'observability: auth-service.*' "$WORK/observability.log")"
else
    result FAIL "observability" "see $WORK/observability.log; game targets up: $(obs_game_targets)"
fi

# 5. podman kill of a game-instance pod while a client plays
soak_start Kim
wait_actions Kim 6
victim=rf-game-2
before=$(partitions_line)
pm pod kill "$victim" >/dev/null
sleep 1
t_kill=$SECONDS
rf_wait 30 partitions_ok 2
after_kill="$(partitions_line) within $((SECONDS - t_kill)) s"
wait_actions Kim 6
if soak_stop Kim >/dev/null; then
    result PASS "kill game instance" "podman pod kill $victim (before: $before; after: $after_kill); client: $(summary Kim)"
else
    result FAIL "kill game instance" "before: $before; after: $after_kill; client: $(summary Kim)"
fi
rf_stop_pod "$victim" 5
"$RF_PODMAN_DIR/platform.sh" scale 3 >>"$WORK/scale.log" 2>&1
if rf_wait 60 partitions_ok 3; then
    result PASS "replace killed pod" "scale 3 again: $(partitions_line)"
else
    result FAIL "replace killed pod" "$(partitions_line)"
fi
# The killed pod left and came back: Prometheus followed (its target file), then the optional pods go.
obs_seen=none
rf_wait 60 obs_expect_games "rf-game-1:9082 rf-game-2:9082 rf-game-3:9082" && obs_seen=$(obs_game_targets)
if [[ $obs_seen != none ]] && "$RF_PODMAN_DIR/platform.sh" observability down >>"$WORK/observability.log" 2>&1 &&
    ! rf_pod_exists rf-prometheus; then
    result PASS "observability follows pods" "game targets up after kill and replace: $obs_seen; observability down"
else
    result FAIL "observability follows pods" "game targets up: $(obs_game_targets); see $WORK/observability.log"
fi

# 6. rolling replace of the game instances (drain on SIGTERM) while a client plays
build_next game-instance-service
soak_start Rio
wait_actions Rio 4
roll_ok=0
if "$RF_PODMAN_DIR/platform.sh" roll next >"$WORK/roll.log" 2>&1 && rf_wait 60 partitions_ok 3; then
    roll_ok=1
    for pod in $(rf_game_pods all); do
        [[ $(podman inspect -f '{{.ImageName}}' "$(rf_app "$pod")") == "$(rf_image game-instance-service next)" ]] || roll_ok=0
    done
fi
wait_actions Rio 4
if soak_stop Rio >/dev/null && ((roll_ok)); then
    result PASS "rolling replace" "3 game pods replaced one by one (SIGTERM drain) with tag next: $(partitions_line); client: $(summary Rio)"
else
    result FAIL "rolling replace" "roll ok=$roll_ok; $(partitions_line); client: $(summary Rio); see $WORK/roll.log"
fi

# 7. blue-green switch of the gateway and rollback while a client keeps playing
build_next gateway-service
soak_start Bo
wait_actions Bo 4
if "$RF_PODMAN_DIR/bluegreen.sh" deploy next >"$WORK/bluegreen.log" 2>&1 && rf_edge_serves_steadily green &&
    [[ $(podman inspect -f '{{.ImageName}}' rf-gateway-green-app) == "$(rf_image gateway-service next)" ]]; then
    if "${CLIENT[@]}" "$URL" Gus play 3 >"$WORK/green.out" 2>&1; then
        result PASS "blue-green switch" "rf-gateway-green (tag next) healthy, edge switched, new client on green: $(grep '^client:' "$WORK/green.out" | sed 's/^client: //')"
    else
        result FAIL "blue-green switch" "switched, but a new client failed: $(tail -n 2 "$WORK/green.out" | tr '\n' ' ')"
    fi
else
    result FAIL "blue-green switch" "see $WORK/bluegreen.log"
fi
wait_actions Bo 3
if "$RF_PODMAN_DIR/rollback.sh" gateway >"$WORK/rollback.log" 2>&1 && rf_edge_serves_steadily blue &&
    "${CLIENT[@]}" "$URL" Lea play 2 >"$WORK/blue.out" 2>&1; then
    result PASS rollback "edge back on rf-gateway-blue (green kept idle), new client on blue: $(grep '^client:' "$WORK/blue.out" | sed 's/^client: //')"
else
    result FAIL rollback "see $WORK/rollback.log $WORK/blue.out"
fi
wait_actions Bo 3
if soak_stop Bo >/dev/null; then
    result PASS "client through switch and rollback" "$(summary Bo)"
else
    result FAIL "client through switch and rollback" "$(summary Bo)"
fi
"$RF_PODMAN_DIR/bluegreen.sh" finish >>"$WORK/bluegreen.log" 2>&1
step_health "health after releases"

# 8. backup, drop, restore, compare row counts
counts() {
    podman exec rf-postgres-app psql -U postgres -d "$RF_DB" -At -c \
        "SELECT string_agg(t || '=' || n, ' ' ORDER BY t) FROM (
           SELECT 'roll_permalinks' t, count(*) n FROM roll_permalinks UNION ALL
           SELECT 'roll_reveals', count(*) FROM roll_reveals UNION ALL
           SELECT 'session_events', count(*) FROM session_events UNION ALL
           SELECT 'sessions', count(*) FROM sessions UNION ALL
           SELECT 'session_members', count(*) FROM session_members UNION ALL
           SELECT 'player_stats', count(*) FROM player_stats UNION ALL
           SELECT 'saves', count(*) FROM saves UNION ALL
           SELECT 'flyway_schema_history', count(*) FROM flyway_schema_history) x" 2>&1
}
rf_wait 30 bash -c "[[ \$(podman exec rf-postgres-app psql -U postgres -d $RF_DB -At -c 'select count(*) from roll_permalinks' 2>/dev/null) -gt 0 ]]"
before=$(counts)
bdir=$WORK/backups
rm -rf "$bdir"
if RF_BACKUP_KEEP=2 "$RF_PODMAN_DIR/backup.sh" "$bdir" >"$WORK/backup.log" 2>&1 &&
    sleep 1 && RF_BACKUP_KEEP=2 "$RF_PODMAN_DIR/backup.sh" "$bdir" >>"$WORK/backup.log" 2>&1 &&
    sleep 1 && RF_BACKUP_KEEP=2 "$RF_PODMAN_DIR/backup.sh" "$bdir" >>"$WORK/backup.log" 2>&1; then
    dump=$(printf '%s\n' "$bdir"/*.dump | sort | tail -n 1)
    ndumps=$(find "$bdir" -name '*.dump' | wc -l)
    if (cd "$bdir" && sha256sum -c --quiet "$(basename "$dump").sha256") && ((ndumps == 2)); then
        result PASS backup "pg_dump -Fc $(basename "$dump") ($(stat -c %s "$dump") bytes), sha256 verified, retention kept $ndumps of 3"
    else
        result FAIL backup "checksum or retention ($ndumps dumps)"
    fi
    if "$RF_PODMAN_DIR/restore.sh" "$dump" >"$WORK/restore.log" 2>&1; then
        after=$(counts)
        if [[ -n $before && $before == "$after" && $before != *ERROR* ]]; then
            result PASS "backup/restore" "database dropped and restored, row counts equal: $after; persistence-service ready again"
        else
            result FAIL "backup/restore" "before: $before; after: $after"
        fi
    else
        result FAIL "backup/restore" "see $WORK/restore.log"
    fi
else
    result FAIL backup "see $WORK/backup.log"
fi
if "${CLIENT[@]}" "$URL" Max play 2 >"$WORK/after.out" 2>&1; then
    result PASS "play after restore" "$(grep '^client:' "$WORK/after.out" | sed 's/^client: //')"
else
    result FAIL "play after restore" "$(tail -n 2 "$WORK/after.out" | tr '\n' ' ')"
fi

# 9. status, down, then the same pods from the kube YAML (podman kube play), played through
"$RF_PODMAN_DIR/platform.sh" status
"$RF_PODMAN_DIR/platform.sh" down >"$WORK/down.log" 2>&1
KUBE=$RF_PODMAN_DIR/kube/rune-forge.yaml
kube_plays() { "${CLIENT[@]}" "$URL" Kay play 2 >"$WORK/kube.out" 2>&1; }
if rf_ensure_network && pm kube play --network "$RF_NETWORK" "$KUBE" >"$WORK/kube.log" 2>&1 &&
    rf_wait 180 kube_plays; then
    result PASS "kube play" "podman kube play $(basename "$KUBE"): 7 pods up, a client played through rf-gateway-blue: $(grep '^client:' "$WORK/kube.out" | sed 's/^client: //')"
else
    result FAIL "kube play" "see $WORK/kube.log $WORK/kube.out"
fi
pm kube play --down "$KUBE" >>"$WORK/kube.log" 2>&1 || true
"$RF_PODMAN_DIR/platform.sh" down >>"$WORK/down.log" 2>&1
pm rmi "$(rf_image game-instance-service next)" "$(rf_image gateway-service next)" >/dev/null 2>&1 || true
podman image prune -f >/dev/null 2>&1 || true # the build stages of the `next` images
left=$("$RF_PODMAN_DIR/platform.sh" leftovers)
if [[ -z $left ]]; then
    result PASS down "no pod, container, volume, secret or network of the platform left; port $RF_HTTP_PORT closed"
else
    result FAIL down "left: $(echo "$left" | paste -sd ' ')"
fi

echo
echo "summary ($(((SECONDS - t0) / 60)) min $(((SECONDS - t0) % 60)) s):"
printf '  %s\n' "${results[@]}"
echo "$passed passed, $failed failed"
((failed == 0))
