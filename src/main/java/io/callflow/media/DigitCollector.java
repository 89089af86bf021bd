package io.callflow.media;

import io.callflow.call.CallControl.DigitCollection;

/**
 * One caller's digit collection as a state machine driven by a clock reading: at most {@code maxDigits}, ended early
 * by the terminator, a first-digit timeout that starts when the prompts before it have played and an inter-digit
 * timeout after each digit. It yields exactly one outcome: the digits, or an empty string for no input. Not
 * thread-safe; the media ticker owns it.
 */
final class DigitCollector {

    private final DigitCollection spec;
    private final StringBuilder digits = new StringBuilder();
    private boolean clockStarted;
    private long deadline;
    private String outcome;

    DigitCollector(DigitCollection spec) {
        this.spec = spec;
    }

    /** The prompts have finished: the first-digit timeout starts now (once). */
    void promptsFinished(long nowNanos) {
        if (!clockStarted && outcome == null) {
            clockStarted = true;
            deadline = nowNanos + spec.firstDigitTimeout().toNanos();
        }
    }

    /** A key was pressed; returns the outcome when this key ends the collection, else null. */
    String digit(char digit, long nowNanos) {
        if (outcome != null) {
            return null;
        }
        if (spec.terminator() != null && spec.terminator() == digit) {
            return finish();
        }
        digits.append(digit);
        if (digits.length() >= spec.maxDigits()) {
            return finish();
        }
        clockStarted = true;
        deadline = nowNanos + spec.interDigitTimeout().toNanos();
        return null;
    }

    /** Checks the timeouts; returns the outcome when one has expired, else null. */
    String check(long nowNanos) {
        if (outcome == null && clockStarted && nowNanos - deadline >= 0) {
            return finish();
        }
        return null;
    }

    boolean finished() {
        return outcome != null;
    }

    private String finish() {
        outcome = digits.toString();
        return outcome;
    }
}
