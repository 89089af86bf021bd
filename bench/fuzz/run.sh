#!/usr/bin/env bash
# Fuzzes each parser target for a while and prints, per target: executions, executions/s, coverage (libFuzzer's
# covered edges "cov" and features "ft" in io.callflow and gov.nist, JAIN-SIP) and corpus size, and the findings:
# inputs Jazzer saved as crash-<sha1> under src/test/resources/io/callflow/**/<Test>Inputs/<method>/. A finding is
# kept by renaming it after what broke, once the bug is fixed; it is then replayed by every build. The corpus grown
# here stays in .cifuzz-corpus/ (not committed) and seeds the next run. See docs/sip.md, "Fuzzing".
# Usage: bench/fuzz/run.sh [seconds per target, default 300] [Test ...] (default: all three targets)
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-300}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(SipMessageFuzzTest SdpFuzzTest RtpFuzzTest)
./mvnw -q -DskipTests test-compile
log=target/fuzz-logs
mkdir -p "$log"
status=0
for target in "${targets[@]}"; do
  before=$(find src/test/resources -path "*/${target}Inputs/*" -name 'crash-*' | sort)
  # The fuzz execution of pom.xml alone (surefire:test@fuzz): its own fork, Jazzer in fuzzing mode.
  if ./mvnw -q surefire:test@fuzz -Dtest="$target" -Dsurefire.failIfNoSpecifiedTests=false \
      -Dfuzz.enabled=true -Dfuzz.duration="${seconds}s" >"$log/$target.log" 2>&1; then
    result=passed
  else
    result=FAILED
    status=1
  fi
  done_line=$(grep -a 'DONE ' "$log/$target.log" | tail -1 || true)
  runs=$(grep -a '^Done [0-9]* runs' "$log/$target.log" | tail -1 | awk '{print $2}' || true)
  after=$(find src/test/resources -path "*/${target}Inputs/*" -name 'crash-*' | sort)
  findings=$(comm -13 <(echo "$before") <(echo "$after") | grep -c . || true)
  printf 'fuzz.%s seconds=%s executions=%s exec/s=%s cov=%s ft=%s corpus=%s findings=%s result=%s\n' "$target" \
    "$seconds" "${runs:-0}" \
    "$(sed -n 's/.*exec\/s: \([0-9]*\).*/\1/p' <<<"$done_line")" \
    "$(sed -n 's/.*cov: \([0-9]*\).*/\1/p' <<<"$done_line")" \
    "$(sed -n 's/.*ft: \([0-9]*\).*/\1/p' <<<"$done_line")" \
    "$(sed -n 's/.*corp: \([0-9]*\/[0-9a-zA-Z]*\).*/\1/p' <<<"$done_line")" "$findings" "$result"
  comm -13 <(echo "$before") <(echo "$after") | sed 's/^/  finding: /'
  [ "$result" = passed ] || grep -a -m1 -A6 'FuzzTestFindingException' "$log/$target.log" | sed 's/^/  /' || true
done
exit $status
