#!/usr/bin/env bash
# Relay benchmark: bridged calls through the media engine on loopback, 50 packets/s each way per call, stepping up
# to 1,000 concurrent calls (~100,000 packets/s relayed). Prints per step: calls, packets/s relayed, loss, transit
# p50/p99, added jitter p50/p99/max (ms), engine CPU (% of one core) per 10,000 packets/s, heap per call (KiB).
# Usage: bench/media/run.sh [calls,calls,...] [seconds per step] [engine threads, 0 = per core] [epoll|nio]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.media.MediaRelayBenchmark \
  -Dexec.args="${1:-100,250,500,1000} ${2:-10} ${3:-0} ${4:-epoll}" -Dexec.cleanupDaemonThreads=false 2>&1 \
  | grep '^media\.'
