#!/usr/bin/env bash
# How late BPMN timers fire: starts the packaged Callflow on a fresh embedded database, deploys a process whose
# timer waits 3 s, starts N instances spread over a few seconds, and prints the lateness (fired - due) of each
# timer from Camunda's history: median, p90, p99 and max.
# Usage: bench/timers/run.sh [instances]   (builds the jar first if it is missing; EXTRA_ARGS adds app options)
set -euo pipefail
cd "$(dirname "$0")/../.."
n=${1:-200}
jar=$(ls target/callflow-*.jar 2>/dev/null | grep -v original | head -1 || true)
if [ -z "$jar" ]; then
    ./mvnw -q -B -DskipTests package
    jar=$(ls target/callflow-*.jar | grep -v original | head -1)
fi
work=$(mktemp -d)
port=$((20000 + RANDOM % 10000))
base="http://127.0.0.1:$port/engine-rest"
auth="admin:callflow"
java -jar "$jar" --server.port=$port --callflow.data-dir="$work/data" --callflow.content.processes-dir="$work/none" \
    --callflow.sip.port=0 ${EXTRA_ARGS:-} >"$work/app.log" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null; wait $app 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 1 240); do curl -sf "http://127.0.0.1:$port/actuator/health" >/dev/null && break; sleep 0.5; done

curl -sf -u "$auth" -F "deployment-name=timer-probe" -F "data=@bench/timers/timer-probe.bpmn" \
    "$base/deployment/create" >/dev/null
for i in $(seq 1 "$n"); do
    curl -sf -u "$auth" -H 'Content-Type: application/json' -d "{\"businessKey\":\"probe-$i\"}" \
        "$base/process-definition/key/timer-probe/start" >/dev/null
    sleep 0.02
done
deadline=$((SECONDS + 60))
while [ "$(curl -sf -u "$auth" "$base/history/process-instance/count?processDefinitionKey=timer-probe&finished=true" \
        | python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')" -lt "$n" ]; do
    [ $SECONDS -lt $deadline ] || { echo "not all timers fired within 60 s"; exit 1; }
    sleep 1
done
curl -sf -u "$auth" "$base/history/activity-instance?activityId=WaitThreeSeconds&maxResults=100000" | python3 -c '
import json, sys
from datetime import datetime
def t(s): return datetime.strptime(s[:23], "%Y-%m-%dT%H:%M:%S.%f")
late = sorted((t(a["endTime"]) - t(a["startTime"])).total_seconds() * 1000 - 3000 for a in json.load(sys.stdin))
q = lambda p: late[min(len(late) - 1, int(p * len(late)))]
print(f"timers: {len(late)}, lateness ms: median {q(0.5):.0f}, p90 {q(0.9):.0f}, p99 {q(0.99):.0f}, max {late[-1]:.0f}")
'
