#!/usr/bin/env bash
# Provisions what the tests need (JDK 21+, NATS with JetStream, PostgreSQL, Chromium, the npm packages of e2e/,
# checks/ and bench/), runs the offline checks of the Kubernetes manifests and GitHub workflows (scripts/check-static.sh),
# then the whole Java suite: unit tests (*Test, Surefire) and integration tests (*IT, Failsafe) against the real
# NATS, PostgreSQL and Chromium. Extra arguments go to Maven:
#   ./run-tests.sh -DskipITs          (unit tests only)
#   ./run-tests.sh -pl platform-tests -am -Dit.test=BrowserIT -Dfailsafe.failIfNoSpecifiedTests=false \
#       -Djacoco.haltOnFailure=false  (one integration test; coverage thresholds only make sense for the whole suite)
# At the end it prints each module's coverage (unit and merged) and PIT mutation score (scripts/coverage-table.sh)
# and how long Maven took. Exits with Maven's status.
set -euo pipefail
cd "$(dirname "$0")"
# shellcheck source=scripts/lib.sh
source scripts/lib.sh

JAVA_HOME=$(rf_java_home)
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"

scripts/provision.sh --tests
scripts/check-static.sh

rf_log "tests: ./mvnw -B verify${*:+ $*}   (JDK $JAVA_HOME)"
started=$(rf_now_ms)
status=0
./mvnw -B verify "$@" || status=$?
scripts/coverage-table.sh || true
rf_log "tests: Maven took $(rf_seconds $(($(rf_now_ms) - started))), exit status $status (docs/testing.md: the gates and their reports)"
exit "$status"
