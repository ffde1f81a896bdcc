#!/usr/bin/env bash
# The bus of a podman (or compose) deployment: certificates, keys and the NATS server's config, made on this host
# (openssl and the JDK; nothing is downloaded) into one directory, then mounted read-only into the containers.
#
#   deploy/podman/bus.sh DIR [NAME...]      NAME: host names of the NATS server (default: rf-nats nats)
#
#   DIR/pki, DIR/keys, DIR/users.env   deploy/nats/dev-bus.sh: the CA, the server certificate, an nkey per identity
#   DIR/nats/                          nats.conf (deploy/podman/nats.conf), accounts.conf (deploy/nats/permissions.txt
#                                      rendered with these keys), server.pem, server.key: the rf-nats container's
#                                      /etc/nats
#   DIR/clients/<service>/             nkey (that service's seed) and ca.pem: the service's /etc/rune-forge/bus, and
#                                      no other container's
#
# Idempotent (keys and a fitting certificate are kept; the rest is rewritten). As root, what the containers read
# belongs to uid 10001, their user, and only it may read the secrets; keep DIR itself readable by root alone
# (platform.sh: $RF_STATE/bus; Quadlet and systemd on a host: /etc/rune-forge/bus). The operator's seed for the nats
# CLI is DIR/keys/operator.nk.
set -euo pipefail
dir=${1:?usage: deploy/podman/bus.sh DIR [NAME...]}
shift
(($# > 0)) || set -- rf-nats nats
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
services=(gateway-service auth-service game-instance-service persistence-service media-token-service)

"$root/deploy/nats/dev-bus.sh" "$dir" "$@" >/dev/null
dir=$(cd "$dir" && pwd)
mkdir -p "$dir/nats"
cp "$here/nats.conf" "$dir/nats/nats.conf"
"$root/deploy/nats/bus-auth.sh" render --namespace "${RF_BUS_NAMESPACE:-rf}" --keys "$dir/keys" --out "$dir/nats/accounts.conf"
install -m 0644 "$dir/pki/server.pem" "$dir/nats/server.pem"
install -m 0400 "$dir/pki/server.key" "$dir/nats/server.key"
chmod 0444 "$dir/nats/nats.conf" "$dir/nats/accounts.conf"
for svc in "${services[@]}"; do
    mkdir -p "$dir/clients/$svc"
    install -m 0400 "$dir/keys/$svc.nk" "$dir/clients/$svc/nkey"
    install -m 0444 "$dir/pki/ca.pem" "$dir/clients/$svc/ca.pem"
done
if ((EUID == 0)); then
    chown -R 10001:10001 "$dir/nats" "$dir/clients"
else
    echo "bus.sh: not root: the containers (uid 10001) can read $dir/nats/server.key and the seeds only if you" \
        "chown -R 10001:10001 $dir/nats $dir/clients" >&2
fi
chmod 0755 "$dir/nats" "$dir/clients" "$dir/clients"/*
echo "bus.sh: $dir ready (server names: $*)"
