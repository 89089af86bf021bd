#!/usr/bin/env bash
# The engine's own floor alone: Camunda 7 as Callflow configures it, running bench/engine-floor/floor-call.bpmn
# (the benchmark flow's wait states and variables, no SIP, media, ACD or rules) on the same embedded PostgreSQL
# settings. bench/flow/run.sh runs it after the flow benchmark and prints the ratio.
# Usage: bench/engine-floor/run.sh [rates=25,50] [seconds per rate=20]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.EngineFloorBenchmark \
  -Dexec.args="${1:-25,50} ${2:-20}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^floor\.'
