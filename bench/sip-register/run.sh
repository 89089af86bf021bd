#!/usr/bin/env bash
# SIP layer load: authenticated REGISTERs per second. SIPp registers many users (an -inf CSV with
# [authentication]) against Callflow on an embedded PostgreSQL at rising rates; per rate it prints the
# registrations attempted, succeeded and failed, retransmissions, the rate achieved and the process CPU, then the
# highest rate with zero failures. Defaults (flood protection on) are used as shipped. Needs sipp (sip-tester).
# Usage: bench/sip-register/run.sh [rates=250,500,1000,1500,2000] [seconds per rate=10] [users=5000]
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -DskipTests test-compile
./mvnw -q exec:java -Dexec.classpathScope=test -Dexec.mainClass=io.callflow.SipRegisterBenchmark \
  -Dexec.args="${1:-250,500,1000,1500,2000} ${2:-10} ${3:-5000}" -Dexec.cleanupDaemonThreads=false 2>&1 \
  | grep '^sip-register\.'
