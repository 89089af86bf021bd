package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class FramePacerTest {

    @Test
    void tenMinutesOfJitteryWakeUpsSendExactlyOneFrameEvery20MsWithoutDrift() {
        AtomicLong clock = new AtomicLong(1_000_000_000L);
        FramePacer pacer = new FramePacer(clock::get);
        long start = clock.get();
        Random random = new Random(42);
        long tenMinutes = 600_000_000_000L;
        long sent = 0;
        long worstLateness = 0;
        while (clock.get() - start < tenMinutes) {
            // The ticker asks every 5 ms, but the scheduler wakes it 0-4 ms late, now and then 30 ms late (GC).
            long step = 5_000_000L + random.nextInt(4_000_000) + (random.nextInt(1000) == 0 ? 30_000_000L : 0);
            clock.addAndGet(step);
            int due = pacer.due();
            for (int i = 0; i < due; i++) {
                long dueAt = start + (sent + 1) * FramePacer.FRAME_NANOS;
                assertThat(clock.get()).as("frame %d is not sent early", sent + 1).isGreaterThanOrEqualTo(dueAt);
                worstLateness = Math.max(worstLateness, clock.get() - dueAt);
                sent++;
            }
        }
        long elapsed = clock.get() - start;
        assertThat(sent).isEqualTo(elapsed / FramePacer.FRAME_NANOS);
        assertThat(sent).isBetween(29_999L, 30_000L);
        assertThat(worstLateness).as("lateness is bounded by one wake-up, never accumulated").isLessThan(40_000_000L);
    }

    @Test
    void aLongStallRestartsTheScheduleInsteadOfBursting() {
        AtomicLong clock = new AtomicLong();
        FramePacer pacer = new FramePacer(clock::get);
        clock.addAndGet(40_000_000L);
        assertThat(pacer.due()).isEqualTo(2);
        clock.addAndGet(5_000_000_000L);
        assertThat(pacer.due()).isEqualTo(1);
        clock.addAndGet(20_000_000L);
        assertThat(pacer.due()).isEqualTo(1);
        clock.addAndGet(10_000_000L);
        assertThat(pacer.due()).isZero();
    }
}
