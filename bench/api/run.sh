#!/usr/bin/env bash
# The operations API under call load: an open-loop client at a fixed rate of mixed reads and commands over HTTP
# Basic while SIPp callers run through the flow benchmark's set-up on an embedded PostgreSQL. Needs sipp.
# Also: 100 WebSocket clients of the live events (call events), and a webhook receiver (all events).
# Usage: bench/api/run.sh [seconds=60] [requests per second=200] [calls per second=25] [agents=300] [ws clients=100]
#   [webhook=true: a subscription to every event at a receiver on loopback]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.ApiBenchmark \
  -Dexec.args="${1:-60} ${2:-200} ${3:-25} ${4:-300} ${5:-100} ${6:-true}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^api\.'
