#!/usr/bin/env bash
# Live event fan-out: the time from an outbox commit to each of N connected WebSocket clients receiving the event, at
# a steady event rate, on an embedded PostgreSQL. Usage: bench/events/run.sh [clients=100] [events/s=200] [seconds=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.events.LiveEventsBenchmark \
  -Dexec.args="${1:-100} ${2:-200} ${3:-20}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^events\.'
