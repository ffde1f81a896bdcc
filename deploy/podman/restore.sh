#!/usr/bin/env bash
# Restores a backup.sh dump into the podman platform's PostgreSQL, after verifying its checksum.
#
#   deploy/podman/restore.sh FILE.dump [DB]   DB (default runeforge) is dropped and created anew from FILE
#
# persistence-service is stopped meanwhile (the runbook in docs/operations.md) and started again afterwards;
# Flyway finds the restored schema version and does nothing.
set -euo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/lib.sh"

file=${1:?usage: restore.sh FILE.dump [DB]}
db=${2:-$RF_DB}
[[ -f $file.sha256 ]] || rf_die "restore: no checksum $file.sha256"
(cd "$(dirname "$file")" && sha256sum -c --quiet "$(basename "$file").sha256") || rf_die "restore: $file does not match its checksum"
was_running=0
if [[ $db == "$RF_DB" ]] && [[ $(podman inspect -f '{{.State.Running}}' rf-persistence-app 2>/dev/null) == true ]]; then
    was_running=1
    rf_step "restore: stopping persistence-service"
    pm pod stop -t 20 rf-persistence >/dev/null
fi
rf_step "restore: recreating database $db from $(basename "$file")"
podman exec rf-postgres-app psql -q -v ON_ERROR_STOP=1 -U postgres -d postgres \
    -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" -c "CREATE DATABASE \"$db\"" >/dev/null
podman exec -i rf-postgres-app pg_restore -U postgres -d "$db" --exit-on-error --no-owner <"$file"
if ((was_running)); then
    rf_step "restore: starting persistence-service"
    pm pod start rf-persistence >/dev/null
    rf_wait 120 rf_service_up rf-persistence-app persistence-service || rf_die "restore: persistence-service is not ready"
fi
rf_step "restore: done"
