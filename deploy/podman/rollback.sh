#!/usr/bin/env bash
# Rolls back the last release on podman.
#
#   deploy/podman/rollback.sh [gateway]   switch the edge back to the previous gateway colour (still running
#                                         since bluegreen.sh deploy): instant, nothing is restarted
#   deploy/podman/rollback.sh game        rolling replace of the game instances with the tag they had before
#                                         the last `platform.sh roll` (each drains on SIGTERM first)
set -euo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/lib.sh"

case ${1:-gateway} in
gateway)
    live=$(rf_active_colour)
    prev=$(rf_other_colour "$live")
    rf_pod_exists "rf-gateway-$prev" || rf_die "rollback: no previous gateway (rf-gateway-$prev is gone: bluegreen.sh finish removed it)"
    rf_service_up "rf-gateway-$prev-app" gateway-service || rf_die "rollback: rf-gateway-$prev is not healthy and ready; staying on $live"
    rf_step "rollback: switching the edge from rf-gateway-$live back to rf-gateway-$prev"
    rf_switch_edge "$prev" || rf_die "rollback: the edge does not reach rf-gateway-$prev"
    rf_step "rollback: live = $prev; $live kept running (bluegreen.sh finish removes it)"
    ;;
game)
    tag=$(cat "$RF_STATE/game.previous-tag" 2>/dev/null) || rf_die "rollback: no earlier game-instance roll recorded"
    exec "$RF_PODMAN_DIR/platform.sh" roll "$tag"
    ;;
*)
    sed -n '2,7s/^# \{0,1\}//p' "$0"
    exit 2
    ;;
esac
