#!/usr/bin/env bash
# Everything a deployment's bus needs, made locally (openssl and the JDK; nothing leaves this machine):
#
#   deploy/nats/dev-bus.sh DIR [NAME...]
#
#   DIR/pki/         ca.pem, ca.key (the bus CA), server.pem, server.key (the NATS servers' certificate, valid for
#                    localhost and every NAME: the host names clients and cluster routes use)   deploy/nats/dev-pki.sh
#   DIR/keys/        <identity>.nk (the nkey seed: a secret, for that service only) and <identity>.pub, one pair per
#                    identity of deploy/nats/permissions.txt (operator.nk is the operator's own, for the nats CLI)
#   DIR/users.env    NKEY_<IDENTITY>=<public key>: the NATS server's environment, which deploy/nats/accounts.conf
#                    reads its users' keys from
#
# Idempotent: existing keys and a still-fitting certificate are kept (delete a file to replace it). DIR holds
# secrets: keep it out of git (deploy/compose/.bus/ and .run/ are ignored) and readable by you alone.
set -euo pipefail
dir=${1:?usage: deploy/nats/dev-bus.sh DIR [NAME...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$dir"
chmod 700 "$dir"
"$here/dev-pki.sh" "$dir/pki" "$@"
"$here/bus-auth.sh" keys --dir "$(cd "$dir" && pwd)/keys"
"$here/bus-auth.sh" env --dir "$(cd "$dir" && pwd)/keys" >"$dir/users.env.new"
mv -f "$dir/users.env.new" "$dir/users.env"
