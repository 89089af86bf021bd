#!/usr/bin/env bash
# Relay benchmark: bridged calls through the media engine on loopback, 50 packets/s each way per call, stepping up
# to 1,000 concurrent calls (~100,000 packets/s relayed). The phones run in a second JVM (RelayLoadGenerator): in a
# deployment they are off-box, so here they must not take the engine's CPU. Prints per step: calls, packets/s
# relayed, loss, transit p50/p99, added jitter p50/p99/max (ms), engine CPU (% of one core) per 10,000 packets/s,
# heap per call (KiB), "exact" jitter p50/p99/max over packets whose receive time the generator knows to within
# 0.3 ms and the share of pairs left out of it, then how the generator kept up (send lateness p99/max, gap between
# its reads p99/max, its CPU). See docs/benchmarks.md, "Media: relayed calls".
# Usage: bench/media/run.sh [calls,calls,...] [seconds per step] [engine threads, 0 = per core] [epoll|nio]
# Environment: PRIORITY (nice, the default: both JVMs at nice -10, as a media server's RTP threads run above
# ordinary work, so that other work on a shared machine does not preempt them; rt: SCHED_RR 10; none); PIN=1 pins
# the engine to ENGINE_CPUS and the generator to GENERATOR_CPUS (taskset lists, default 0 and 1) - off by default,
# because at 1,000 calls the engine needs about a whole core and pinned has no headroom left; JAVA_OPTS for the
# engine JVM (e.g. a JFR recording).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
classpath=target/bench-classpath.txt
if [ ! -s "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
  ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath"
fi
case "${PRIORITY:-nice}" in
  nice) engine=(nice -n $((-10 - $(nice)))) ;; # -10 absolute, whatever niceness this shell was given
  rt) engine=(chrt -r 10) ;;
  *) engine=() ;;
esac
generator=""
if [ "${PIN:-0}" = 1 ] && command -v taskset >/dev/null; then
  engine+=(taskset -c "${ENGINE_CPUS:-0}")
  generator="${GENERATOR_CPUS:-1}"
fi
# shellcheck disable=SC2086 # JAVA_OPTS is a list of options
# No hsperfdata file: its page writes can stall a JVM for seconds while other work floods the disk.
"${engine[@]}" java -Xms1g -Xmx1g -XX:+PerfDisableSharedMem ${JAVA_OPTS:-} -Dbench.generator.cpus="$generator" \
  -cp "target/test-classes:target/classes:$(cat "$classpath")" io.callflow.media.MediaRelayBenchmark \
  "${1:-100,250,500,1000}" "${2:-10}" "${3:-0}" "${4:-epoll}" 2>&1 | grep '^media\.'
