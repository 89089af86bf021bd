#!/usr/bin/env bash
# Transfer benchmark: Callflow on an embedded PostgreSQL, a SIPp caller connected to agent alice (SIPp, echoing), and
# the target bob (SIPp, notes each INVITE's arrival time and answers 486). Runs N consultations
# (POST /api/v1/calls/{id}/consult {"agent":"bob"}, one after the other on the same call) and N blind transfers of a
# waiting call to bob (POST /api/v1/calls/{id}/transfer {"agent":"bob"}), and prints per command the time from sending
# the request to bob's SIPp receiving the INVITE (p50, p99, max) and the JVM's CPU per command (Callflow and the
# benchmark's HTTP client share the JVM). See docs/benchmarks.md, "Transfers".
# Usage: bench/transfer/run.sh [transfers per command=100]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.api.TransferBenchmark \
  -Dexec.args="${1:-100}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^transfer\.'
