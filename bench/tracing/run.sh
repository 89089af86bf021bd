#!/usr/bin/env bash
# What per-call tracing costs: the spans of one call through the default flow, tracing on (OpenTelemetry SDK, batch
# processor, a dropping exporter) against off (no tracing code in the path). Usage: bench/tracing/run.sh [calls=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.tracing.TracingBenchmark \
  -Dexec.args="${1:-5000}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^tracing\.'
