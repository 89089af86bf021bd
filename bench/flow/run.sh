#!/usr/bin/env bash
# Whole-platform load: SIPp callers at rising rates against SIPp agents (digest-registered) on an embedded
# PostgreSQL, through bench/flow/bench-call.bpmn (the default flow minus the menu). Needs sipp (sip-tester).
# Usage: bench/flow/run.sh [rates=25,50,100,200] [seconds per rate=20] [agents=500]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.FlowBenchmark \
  -Dexec.args="${1:-25,50,100,200} ${2:-20} ${3:-500}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^flow\.'
