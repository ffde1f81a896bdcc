#!/usr/bin/env bash
# Benchmark: game instances as separate processes under load. Prints the takeover time after a kill -9, action
# latency percentiles around the kill and during a rolling restart, and the time a 4th instance needs to get
# its share. Needs what ./run-tests.sh provisions (nats-server: the test starts its own, with TLS and the
# permission table).
#   scripts/bench-cluster.sh [sessions] [interval-ms]      defaults: 200 sessions, one action each 300 ms
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
JAVA_HOME=$(rf_java_home)
export JAVA_HOME
scripts/provision.sh
./mvnw -B -q install -DskipTests -Djacoco.skip=true -pl game-instance-service -am
./mvnw -B verify -pl game-instance-service -Djacoco.skip=true -Dpit.skip=true -Djacoco.haltOnFailure=false -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
  -Dit.test=ClusterIT \
  -DargLine="-Drf.cluster.sessions=${1:-200} -Drf.cluster.intervalMs=${2:-300} -Drf.cluster.logLevel=WARNING" 2>&1 |
  grep -E "owned|takeover|latency|verified|retries|balanced|instances:|Tests run:|FAIL" | grep -v " in dev\."
