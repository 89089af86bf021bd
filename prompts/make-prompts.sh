#!/usr/bin/env bash
# Regenerates the shipped English prompt set and the default music on hold: 8 kHz, 16-bit, mono WAV.
# Needs espeak-ng and sox (Debian packages espeak-ng, sox). Usage: prompts/make-prompts.sh
set -euo pipefail
cd "$(dirname "$0")"
say() { # name text
  espeak-ng -v en-us -s 165 -w /tmp/prompt-$$.wav "$2"
  sox /tmp/prompt-$$.wav -r 8000 -c 1 -b 16 "en/$1.wav" norm -3
  rm -f /tmp/prompt-$$.wav
}
say welcome "Welcome to Callflow."
say menu "For sales, press 1. For support, press 2. For billing, press 3."
say invalid "Sorry, that is not a valid choice."
say no-input "Sorry, I did not hear your choice."
say please-hold "Please hold, your call is important to us."
say you-are-number "You are number"
say in-queue "in the queue."
say estimated-wait "The estimated waiting time is"
say minutes "minutes."
say seconds "seconds."
say goodbye "Thank you for calling. Goodbye."
# No hours in the recording: they live in rules/business-hours.drl, and an edit there must never contradict it.
say closed "We are closed right now. Please call again during our opening hours."
say apology "Sorry, all our agents are busy. Please call again later."
say callback-offer "To ask for a call back, press 1."
say callback-recorded "Thank you. We will call you back."
for n in $(seq 0 20) 30 40 50 60 70 80 90; do say "$n" "$n"; done
# Music on hold: a gentle four-chord loop, 8 seconds.
sox -n -r 8000 -c 1 -b 16 moh/default.wav \
  synth 2 pluck C4 pluck E4 pluck G4 : synth 2 pluck A3 pluck C4 pluck E4 : \
  synth 2 pluck F3 pluck A3 pluck C4 : synth 2 pluck G3 pluck B3 pluck D4 \
  remix - gain -8 fade 0.05 0 0.05
