#!/usr/bin/env bash
# Soak ("nothing stuck, nothing lost"): for N minutes, normal calls mixed with hostile ones (hang-ups in the menu, the
# queue and while an agent rings, CANCELs, callers that never ACK, tel:/urn: URIs, mutated messages, wrong passwords,
# idle TCP connections, PostgreSQL stopped for 20 s midway) on loopback, then the invariant, leaked objects, heap
# after GC and the WARN/ERROR lines logged. Exit 0 when nothing is stuck or leaked, 1 otherwise (the reasons printed).
# The whole output (Callflow's WARN/ERROR lines with their call ids) is kept in the log file named at the end.
# Needs sipp (sip-tester). Usage: bench/soak/run.sh [minutes=5] [answering agents=6]
set -euo pipefail
cd "$(dirname "$0")/../.."
log=$(mktemp /tmp/callflow-soak-XXXXXX.log)
./mvnw -q -DskipTests test-compile
status=0
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.SoakBenchmark \
  -Dexec.args="${1:-5} ${2:-6}" -Dexec.cleanupDaemonThreads=false 2>&1 | tee "$log" \
  | grep --line-buffered '^soak\.' || status=$?
echo "soak.log_file $log"
exit "$status"
