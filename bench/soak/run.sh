#!/usr/bin/env bash
# Soak ("nothing stuck, nothing lost"): for N minutes, normal calls mixed with hostile ones (hang-ups in the menu, the
# queue and while an agent rings, CANCELs, callers that never ACK, tel:/urn: URIs, mutated messages, wrong passwords,
# idle TCP connections, PostgreSQL stopped for 20 s midway) on loopback, then the invariant, leaked objects, heap
# after GC and the WARN/ERROR lines logged. Exit 0 when nothing is stuck or leaked, 1 otherwise (the reasons printed).
# Needs sipp (sip-tester). Usage: bench/soak/run.sh [minutes=5] [answering agents=6]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.SoakBenchmark \
  -Dexec.args="${1:-5} ${2:-6}" -Dexec.cleanupDaemonThreads=false 2>&1 | grep '^soak\.'
