#!/usr/bin/env bash
# PostgreSQL backup of the podman platform: pg_dump -Fc inside the rf-postgres pod, a sha256 checksum beside
# it, and retention (RF_BACKUP_KEEP newest dumps, default 14).
#
#   deploy/podman/backup.sh [DIR]    writes DIR/runeforge-<UTC time>.dump and .dump.sha256
#                                    (DIR default: RF_BACKUP_DIR or /var/tmp/rune-forge-podman/backups)
# A systemd timer or cron runs it daily; restore with deploy/podman/restore.sh.
set -euo pipefail
# shellcheck source=deploy/podman/lib.sh
source "$(dirname "$0")/lib.sh"

dir=${1:-${RF_BACKUP_DIR:-$RF_STATE/backups}}
keep=${RF_BACKUP_KEEP:-14}
db=${RF_BACKUP_DB:-$RF_DB}
mkdir -p "$dir"
file=$dir/$db-$(date -u +%Y%m%dT%H%M%SZ).dump
podman exec rf-postgres-app pg_dump -Fc -U postgres -d "$db" >"$file.part"
podman exec -i rf-postgres-app pg_restore --list <"$file.part" >/dev/null # a readable archive, or fail
mv "$file.part" "$file"
(cd "$dir" && sha256sum "$(basename "$file")" >"$(basename "$file").sha256")
rf_step "backup: $file ($(stat -c %s "$file") bytes, sha256 $(cut -c1-16 "$file.sha256")...)"
# Retention: the newest $keep dumps of this database stay.
shopt -s nullglob
dumps=("$dir/$db"-*.dump)
mapfile -t old < <(((${#dumps[@]} > 0)) && printf '%s\n' "${dumps[@]}" | sort -r | tail -n +"$((keep + 1))")
for f in "${old[@]}"; do
    rm -f "$f" "$f.sha256"
    rf_step "backup: retention removed $(basename "$f")"
done
