#!/usr/bin/env bash
# Offline checks of what is not Java: the bus permission table's committed renderings (deploy/nats), the Kubernetes
# overlays (rendered with kubectl kustomize, validated against
# the Kubernetes schemas shipped by npm's kubernetes-models, and the project's policy), the checker's own broken
# fixture, every GitHub workflow (action-validator plus pinning/permission rules), the Containerfile, podman
# and compose files (checks/podman), deploy/livekit/livekit.yaml against media-token-service and the stacks
# (checks/livekit), the browser's vendored npm modules against the pinned packages (checks/vendor; needs
# e2e/node_modules), and the JavaScript client SDK's JSDoc types (tsc --noEmit in clients/js). Run by ./run-tests.sh
# before the Java suite; needs `scripts/provision.sh --tests` (the npm packages of checks/, e2e/ and clients/js/).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

# Observability (deploy/observability): the Prometheus configs, alert rules and their unit tests with promtool
# (scripts/provision.sh --tests installs it); the Grafana dashboards and rules name only exported metrics.
rf_log "checks: Prometheus configs, alert rules and their unit tests (promtool)"
for config in deploy/observability/prometheus*.yml; do
    promtool check config "$config"
done
promtool check rules deploy/observability/rules/*.rules.yml
promtool test rules deploy/observability/rules/*.rules.test.yml
rf_log "checks: Grafana dashboards and rules name only exported metrics"
node checks/observability/check.mjs
node checks/observability/selftest.mjs

# The bus permission table (deploy/nats/permissions.txt): every committed rendering of it is current.
rf_log "checks: the bus permission table's renderings are current"
deploy/nats/bus-auth.sh check deploy/nats/accounts.conf k8s/base/nats/accounts.conf

rf_log "checks: Kubernetes overlays"
node checks/k8s/check.mjs
rf_log "checks: the Kubernetes checker rejects its broken fixture"
node checks/k8s/selftest.mjs
rf_log "checks: GitHub workflows"
node checks/workflows/check.mjs
rf_log "checks: container images, podman (kube YAML, Quadlet, scripts) and compose"
node checks/podman/check.mjs
rf_log "checks: the podman checker rejects its open-bus fixture"
node checks/podman/selftest.mjs
rf_log "checks: deploy/livekit/livekit.yaml matches media-token-service, compose and Quadlet"
node checks/livekit/check.mjs
rf_log "checks: the browser's vendored modules are the pinned npm packages' files (sha256)"
node checks/vendor/check.mjs
rf_log "checks: the JavaScript client SDK's types (clients/js: tsc --noEmit, strict, JSDoc)"
node clients/js/node_modules/typescript/bin/tsc --noEmit -p clients/js
