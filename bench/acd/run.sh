#!/usr/bin/env bash
# Routing decision + reservation on PostgreSQL (embedded, started by the benchmark): 1,000 agents, 100 queues,
# 1,000 waiting calls. Prints p50/p90/p99 latency of "an agent frees up -> rank -> reserve" and assignments/s
# when 500 agents free up at once. Usage: bench/acd/run.sh [rounds]   (default 2000)
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.acd.AcdBenchmark \
  -Dexec.args="${1:-2000}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^acd\.'
