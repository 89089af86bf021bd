#!/usr/bin/env bash
# B2BUA call setups per second, SIP layer alone: SIPp callers at rising rates -> Callflow -> one SIPp agent phone that
# answers at once. The calls are driven through the call seam (CallArrived -> answer + dial the agent -> bridge ->
# hang up), without BPMN, on the embedded H2 database. Needs sipp (sip-tester).
# Prints, per rate: calls placed, connected, failed, setup latency (trunk INVITE -> agent answered) p50/p99, CPU.
# Usage: bench/sip-calls/run.sh [rates=100,200,300,400,500] [seconds per rate=15] [hold ms=500]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.sip.SipCallsBenchmark \
  -Dexec.args="${1:-100,200,300,400,500} ${2:-15} ${3:-500}" -Dexec.cleanupDaemonThreads=false 2>&1 \
  | grep --line-buffered '^sip\.'
