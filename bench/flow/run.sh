#!/usr/bin/env bash
# Whole-platform load: SIPp callers at rising rates against SIPp agents (digest-registered) on an embedded
# PostgreSQL, through bench/flow/bench-call.bpmn (the default flow minus the menu); then, in the same run, the
# engine's own floor (bench/engine-floor) at the same rates, and Callflow's CPU per call against the floor's.
# Needs sipp (sip-tester).
# Usage: bench/flow/run.sh [rates=25,50,100,200] [seconds per rate=20] [agents=500]
set -euo pipefail
cd "$(dirname "$0")/../.."
rates="${1:-25,50,100,200}"
seconds="${2:-20}"
out="$(mktemp)"
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.FlowBenchmark \
  -Dexec.args="$rates $seconds ${3:-500}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^flow\.' | tee -a "$out"
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.EngineFloorBenchmark \
  -Dexec.args="$rates $seconds" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^floor\.' | tee -a "$out"
# Callflow's CPU per call (its JVM and its PostgreSQL) over the floor's, rate by rate.
awk '
  /^(flow|floor)\.cost/ {
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    key = v["cps"]; kind = ($1 == "flow.cost") ? "flow" : "floor"
    jvm[kind, key] = v["jvm_ms_per_call"]; pg[kind, key] = v["postgres_ms_per_call"]; seen[key] = 1
  }
  END {
    for (k in seen) if ((("flow", k) in jvm) && (("floor", k) in jvm) && jvm["floor", k] + pg["floor", k] > 0)
      printf "cost.ratio cps=%s callflow_ms_per_call=%.2f floor_ms_per_call=%.2f ratio=%.2f jvm_ratio=%.2f postgres_ratio=%.2f\n",
        k, jvm["flow", k] + pg["flow", k], jvm["floor", k] + pg["floor", k],
        (jvm["flow", k] + pg["flow", k]) / (jvm["floor", k] + pg["floor", k]),
        jvm["flow", k] / jvm["floor", k], pg["flow", k] / pg["floor", k]
  }' "$out" | sort -t= -k2 -n
rm -f "$out"
