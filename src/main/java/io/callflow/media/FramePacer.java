package io.callflow.media;

import java.util.function.LongSupplier;

/**
 * Paces 20 ms frames against a clock on an absolute schedule: frame n is due at {@code start + n * 20 ms}, so a late
 * wake-up is made up by sending the frames that are due, and lateness never accumulates into drift however long a
 * stream runs. After a stall longer than {@link #MAX_CATCH_UP} frames the schedule restarts from now rather than
 * sending a burst that would overflow the receivers' jitter buffers.
 */
final class FramePacer {

    static final long FRAME_NANOS = 20_000_000L;
    static final int MAX_CATCH_UP = 10;

    private final LongSupplier nanoClock;
    private long start;
    private long sent;

    FramePacer(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        this.start = nanoClock.getAsLong();
    }

    /** How many frames are due now; the caller sends that many. */
    int due() {
        long now = nanoClock.getAsLong();
        long due = (now - start) / FRAME_NANOS - sent;
        if (due > MAX_CATCH_UP) {
            start = now - FRAME_NANOS;
            sent = 0;
            due = 1;
        }
        if (due <= 0) {
            return 0;
        }
        sent += due;
        return (int) due;
    }

    /** Frames handed out so far (since the last restart). */
    long sent() {
        return sent;
    }
}
