#!/usr/bin/env bash
# The three Secrets the Kubernetes manifests (k8s/) expect for the bus, as YAML on stdout (offline: kubectl's
# client-side dry run), from a directory deploy/nats/dev-bus.sh filled:
#
#   deploy/nats/dev-bus.sh ~/rune-forge-bus $(deploy/nats/k8s-secrets.sh --names rune-forge)
#   deploy/nats/k8s-secrets.sh ~/rune-forge-bus rune-forge | kubectl apply -f -
#
#   rune-forge-nats-tls    tls.crt, tls.key, ca.crt   the NATS servers' certificate (clients and routes) and the CA
#                                                     every service trusts; bring your own from cert-manager instead
#                                                     (a Certificate whose secretName is this, with the names below)
#   rune-forge-bus-users   NKEY_<IDENTITY>            the public keys the NATS servers let in (deploy/nats/accounts.conf)
#   rune-forge-bus-keys    <service>.nk               each service's seed; its pod mounts only its own
#
# --names NAMESPACE prints the host names the certificate needs in that namespace. The operator's seed
# (operator.nk) is not put in any Secret: it stays with the operator.
set -euo pipefail
if [[ ${1:-} == --names ]]; then
    ns=${2:?usage: k8s-secrets.sh --names NAMESPACE}
    printf '%s\n' nats "nats.$ns" "nats.$ns.svc" "nats.$ns.svc.cluster.local" \
        '*.nats-headless' "*.nats-headless.$ns.svc" "*.nats-headless.$ns.svc.cluster.local"
    exit 0
fi
dir=${1:?usage: deploy/nats/k8s-secrets.sh DIR NAMESPACE}
ns=${2:?usage: deploy/nats/k8s-secrets.sh DIR NAMESPACE}
services=(gateway-service auth-service game-instance-service persistence-service media-token-service)
keys=()
for svc in "${services[@]}"; do keys+=("--from-file=$svc.nk=$dir/keys/$svc.nk"); done
kubectl -n "$ns" create secret generic rune-forge-nats-tls --dry-run=client -o yaml \
    --from-file=tls.crt="$dir/pki/server.pem" --from-file=tls.key="$dir/pki/server.key" --from-file=ca.crt="$dir/pki/ca.pem"
echo ---
kubectl -n "$ns" create secret generic rune-forge-bus-users --dry-run=client -o yaml --from-env-file="$dir/users.env"
echo ---
kubectl -n "$ns" create secret generic rune-forge-bus-keys --dry-run=client -o yaml "${keys[@]}"
