#!/usr/bin/env bash
# Mixer benchmark: one N-party mix run frame by frame as the media ticker runs it (each member's decoded input read,
# mixed by role, each output G.711-encoded), at 10, 50 and 100 participants. Prints per size the CPU milliseconds the
# mixing costs per second of audio per participant (median, min..max over the runs), then the machine's load average.
# See docs/benchmarks.md, "Media: the mixer".
# Usage: bench/mixer/run.sh [participants,participants,...] [seconds of audio per run] [runs]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
classpath=target/bench-classpath.txt
if [ ! -s "$classpath" ] || [ pom.xml -nt "$classpath" ]; then
  ./mvnw -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$classpath"
fi
java -Xms256m -Xmx256m -XX:+PerfDisableSharedMem -cp "target/test-classes:target/classes:$(cat "$classpath")" \
  io.callflow.media.MixerBenchmark "${1:-10,50,100}" "${2:-5}" "${3:-7}" 2>&1 | grep '^mixer\.'
