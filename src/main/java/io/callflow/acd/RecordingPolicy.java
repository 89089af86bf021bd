package io.callflow.acd;

import java.util.Locale;

/**
 * A queue's recording policy: when its calls are recorded, whether the caller hears a consent announcement first, and
 * how many days the files are kept ({@code null}: for ever).
 */
public record RecordingPolicy(String queue, Mode mode, boolean consent, Integer retentionDays) {

    /** The policy of a queue that has none configured (or no queue): always recorded, no announcement, kept. */
    public static RecordingPolicy standard(String queue) {
        return new RecordingPolicy(queue, Mode.ALWAYS, false, null);
    }

    /** When calls are recorded. */
    public enum Mode {
        /** From the flow's Record task on (when the agent answers): Callflow's behaviour before policies. */
        ALWAYS,
        /** Never; starting a recording is refused. */
        NEVER,
        /** Only when the agent or the API starts it. */
        ON_DEMAND;

        /** The mode written as in provisioning ({@code always}, {@code never}, {@code on-demand}). */
        public String text() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        static Mode parse(String text) {
            for (Mode mode : values()) {
                if (mode.text().equals(text)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("recording policy '" + text + "' is not one of always, never,"
                    + " on-demand");
        }
    }
}
