#!/usr/bin/env bash
# Regenerates the shipped prompt sets (English, German, French; 8 kHz mono G.711 A-law WAV) and the default music on
# hold (8 kHz 16-bit mono WAV).
# Needs espeak-ng and sox (Debian packages espeak-ng, sox). Usage: prompts/make-prompts.sh [language ...]
# Numbers: English composes 21-99 from the tens and the units ("40", "2"); German and French read them in ways that do
# not compose that way (einundzwanzig, soixante-dix-sept), so they ship each number 0-99 whole.
set -euo pipefail
cd "$(dirname "$0")"
languages=("$@")
[ ${#languages[@]} -gt 0 ] || languages=(en de fr)
say() { # language name text
  local voice=$1
  [ "$voice" = en ] && voice=en-us
  mkdir -p "$1"
  espeak-ng -v "$voice" -s 165 -w /tmp/prompt-$$.wav "$3"
  # -R: repeatable (sox seeds its dither the same way each run); A-law, what a phone hears anyway, at half the size
  sox -R /tmp/prompt-$$.wav -r 8000 -c 1 -e a-law -b 8 "$1/$2.wav" norm -3
  rm -f /tmp/prompt-$$.wav
}
en() {
  say en welcome "Welcome to Callflow."
  say en menu "For sales, press 1. For support, press 2. For billing, press 3."
  say en invalid "Sorry, that is not a valid choice."
  say en no-input "Sorry, I did not hear your choice."
  say en please-hold "Please hold, your call is important to us."
  say en you-are-number "You are number"
  say en in-queue "in the queue."
  say en estimated-wait "The estimated waiting time is"
  say en minutes "minutes."
  say en one-minute "one minute."
  say en seconds "seconds."
  say en goodbye "Thank you for calling. Goodbye."
  # No hours in the recording: they live in the business calendar, and an edit there must never contradict it.
  say en closed "We are closed right now. Please call again during our opening hours."
  say en apology "Sorry, all our agents are busy. Please call again later."
  say en recording-consent "This call will be recorded for quality and training purposes."
  say en callback-offer "To ask for a call back, press 1."
  say en callback-recorded "Thank you. We will call you back."
  # Queued callback: offered during the wait (before the queue's key), then the number is confirmed or entered.
  say en callback-in-queue "To be called back without losing your place in the queue, press"
  say en callback-confirm-number "To be called back on the number you are calling from, press 1. To enter another number, press 2."
  say en callback-enter-number "Please enter the number to call you back on, followed by the hash key."
  say en callback-confirmed "Thank you. You keep your place in the queue, and we will call you back when it is your turn."
  # The language menu: each offered language announces itself in its own voice, then its key.
  say en for-this-language "For English, press"
  for n in $(seq 0 20) 30 40 50 60 70 80 90; do say en "$n" "$n"; done
}
de() {
  say de welcome "Willkommen bei Callflow."
  say de menu "Für den Vertrieb drücken Sie die 1. Für den Support drücken Sie die 2. Für die Buchhaltung drücken Sie die 3."
  say de invalid "Das ist leider keine gültige Auswahl."
  say de no-input "Leider habe ich Ihre Auswahl nicht gehört."
  say de please-hold "Bitte bleiben Sie am Apparat, Ihr Anruf ist uns wichtig."
  say de you-are-number "Sie sind Nummer"
  say de in-queue "in der Warteschlange."
  say de estimated-wait "Die geschätzte Wartezeit beträgt"
  say de minutes "Minuten."
  say de one-minute "eine Minute."
  say de seconds "Sekunden."
  say de goodbye "Vielen Dank für Ihren Anruf. Auf Wiederhören."
  say de closed "Wir haben im Moment geschlossen. Bitte rufen Sie während unserer Öffnungszeiten wieder an."
  say de apology "Leider sind alle unsere Mitarbeiter im Gespräch. Bitte rufen Sie später wieder an."
  say de recording-consent "Dieses Gespräch wird zu Qualitäts- und Schulungszwecken aufgezeichnet."
  say de callback-offer "Für einen Rückruf drücken Sie die 1."
  say de callback-recorded "Vielen Dank. Wir rufen Sie zurück."
  say de callback-in-queue "Für einen Rückruf, ohne Ihren Platz in der Warteschlange zu verlieren, drücken Sie die"
  say de callback-confirm-number "Für einen Rückruf unter der Nummer, von der Sie anrufen, drücken Sie die 1. Für eine andere Nummer drücken Sie die 2."
  say de callback-enter-number "Bitte geben Sie die Nummer für den Rückruf ein, gefolgt von der Rautetaste."
  say de callback-confirmed "Vielen Dank. Sie behalten Ihren Platz in der Warteschlange, und wir rufen Sie zurück, sobald Sie an der Reihe sind."
  say de for-this-language "Für Deutsch drücken Sie die"
  for n in $(seq 0 99); do say de "$n" "$n"; done
}
fr() {
  say fr welcome "Bienvenue chez Callflow."
  say fr menu "Pour le service commercial, appuyez sur 1. Pour le support, appuyez sur 2. Pour la facturation, appuyez sur 3."
  say fr invalid "Désolé, ce choix n'est pas valide."
  say fr no-input "Désolé, je n'ai pas entendu votre choix."
  say fr please-hold "Veuillez patienter, votre appel est important pour nous."
  say fr you-are-number "Vous êtes le numéro"
  say fr in-queue "dans la file d'attente."
  say fr estimated-wait "Le temps d'attente estimé est de"
  say fr minutes "minutes."
  say fr one-minute "une minute."
  say fr seconds "secondes."
  say fr goodbye "Merci de votre appel. Au revoir."
  say fr closed "Nous sommes fermés pour le moment. Veuillez rappeler pendant nos heures d'ouverture."
  say fr apology "Désolé, tous nos conseillers sont occupés. Veuillez rappeler plus tard."
  say fr recording-consent "Cet appel va être enregistré à des fins de qualité et de formation."
  say fr callback-offer "Pour être rappelé, appuyez sur 1."
  say fr callback-recorded "Merci. Nous vous rappellerons."
  say fr callback-in-queue "Pour être rappelé sans perdre votre place dans la file d'attente, appuyez sur"
  say fr callback-confirm-number "Pour être rappelé au numéro depuis lequel vous appelez, appuyez sur 1. Pour saisir un autre numéro, appuyez sur 2."
  say fr callback-enter-number "Veuillez saisir le numéro auquel vous rappeler, suivi de la touche dièse."
  say fr callback-confirmed "Merci. Vous gardez votre place dans la file d'attente, et nous vous rappellerons quand ce sera votre tour."
  say fr for-this-language "Pour le français, appuyez sur"
  for n in $(seq 0 99); do say fr "$n" "$n"; done
}
for language in "${languages[@]}"; do
  "$language"
done
# Music on hold: a gentle four-chord loop, 8 seconds.
mkdir -p moh
sox -R -n -r 8000 -c 1 -b 16 moh/default.wav \
  synth 2 pluck C4 pluck E4 pluck G4 : synth 2 pluck A3 pluck C4 pluck E4 : \
  synth 2 pluck F3 pluck A3 pluck C4 : synth 2 pluck G3 pluck B3 pluck D4 \
  remix - gain -8 fade 0.05 0 0.05
