#!/usr/bin/env bash
# Blue-green release of the gateway on podman.
#
#   deploy/podman/bluegreen.sh deploy [TAG]   start the idle colour on TAG (default RF_TAG) beside the live one,
#                                             wait until it is healthy and ready, switch the edge to it; the old
#                                             colour keeps running for an instant rollback (rollback.sh)
#   deploy/podman/bluegreen.sh finish         remove the idle colour once the release is good
#   deploy/podman/bluegreen.sh status         which colour is live, which is idle
#
# The switch is an nginx reload in the rf-edge pod: new connections go to the new colour at once; WebSockets
# already open stay on the gateway they were opened on (their nginx worker lives until they close), so no
# player is disconnected by a switch. `finish` closes the idle gateway: its players reconnect and resume.
set -euo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/lib.sh"

cmd=${1:-}
live=$(rf_active_colour)
idle=$(rf_other_colour "$live")
case $cmd in
deploy)
    tag=${2:-$RF_TAG}
    podman image exists "$(rf_image gateway-service "$tag")" || rf_die "no image $(rf_image gateway-service "$tag")"
    rf_pod_exists rf-edge || rf_die "the platform is not up (deploy/podman/platform.sh up)"
    if rf_pod_exists "rf-gateway-$idle"; then
        rf_step "bluegreen: removing the old idle rf-gateway-$idle"
        rf_stop_pod "rf-gateway-$idle" 20
    fi
    rf_step "bluegreen: starting rf-gateway-$idle on $tag beside the live rf-gateway-$live"
    rf_start_gateway "$idle" "$tag"
    if ! rf_wait 120 rf_service_up "rf-gateway-$idle-app" gateway-service; then
        rf_err "rf-gateway-$idle is not healthy and ready after 120 s; traffic stays on $live. Its log:"
        podman logs --tail 30 "rf-gateway-$idle-app" >&2 || true
        exit 1
    fi
    rf_step "bluegreen: rf-gateway-$idle is healthy and ready; switching the edge to it"
    if ! rf_switch_edge "$idle"; then
        rf_err "the edge does not reach rf-gateway-$idle; switching back to $live"
        rf_switch_edge "$live" || true
        exit 1
    fi
    echo "$live" >"$RF_STATE/gateway.previous"
    rf_step "bluegreen: live = $idle ($tag); $live kept running for rollback (deploy/podman/rollback.sh)"
    ;;
finish)
    if rf_pod_exists "rf-gateway-$idle"; then
        rf_step "bluegreen: removing the idle rf-gateway-$idle (live stays $live)"
        rf_stop_pod "rf-gateway-$idle" 20
    fi
    rm -f "$RF_STATE/gateway.previous"
    ;;
status)
    echo "live: rf-gateway-$live"
    if rf_pod_exists "rf-gateway-$idle"; then echo "idle: rf-gateway-$idle (kept for rollback)"; else echo "idle: none"; fi
    ;;
*)
    sed -n '2,13s/^# \{0,1\}//p' "$0"
    [[ $cmd == -h || $cmd == --help ]] || exit 2
    ;;
esac
