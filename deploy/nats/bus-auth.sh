#!/usr/bin/env bash
# The bus permission table's tool (deploy/nats/BusAuth.java) with the project's JDK 21+:
#
#   deploy/nats/bus-auth.sh render [--namespace NS] [--keys DIR] [--out FILE]   the NATS server's accounts block
#   deploy/nats/bus-auth.sh keys --dir DIR      an nkey pair per identity that has none (DIR/<identity>.nk, .pub)
#   deploy/nats/bus-auth.sh env --dir DIR       NKEY_<IDENTITY>=<public key> lines for the NATS server
#   deploy/nats/bus-auth.sh explain             what each identity may publish and subscribe to
#   deploy/nats/bus-auth.sh check FILE...       FILE is the committed rendering of the table (scripts/check-static.sh)
#
# Paths are relative to the repository root. See the header of deploy/nats/permissions.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=scripts/lib.sh
source scripts/lib.sh
java_home=$(rf_java_home)
exec "$java_home/bin/java" deploy/nats/BusAuth.java "$@"
