#!/usr/bin/env bash
# Start-up time of the packaged application on a fresh embedded database, median of N runs.
# Usage: bench/startup/run.sh [runs]   (builds the jar first if it is missing)
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
jar=$(ls target/callflow-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [ -z "$jar" ]; then
    ./mvnw -q -B -DskipTests package
    jar=$(ls target/callflow-*.jar | grep -v original | head -1)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
times=()
for i in $(seq 1 "$runs"); do
    rm -rf "$work/data"
    log="$work/run-$i.log"
    java -jar "$jar" --server.port=0 --callflow.data-dir="$work/data" --callflow.sip.port=0 >"$log" 2>&1 &
    pid=$!
    for _ in $(seq 1 240); do
        grep -q "Started CallflowApplication" "$log" && break
        sleep 0.5
    done
    t=$(grep -oP 'Started CallflowApplication in \K[0-9.]+' "$log" || echo "failed")
    rss=$(ps -o rss= -p "$pid" | tr -d ' ')
    kill "$pid"; wait "$pid" 2>/dev/null || true
    echo "run $i: started in ${t} s, RSS $((rss / 1024)) MiB"
    times+=("$t")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median start-up: " a[int((NR+1)/2)] " s over " NR " runs"}'
