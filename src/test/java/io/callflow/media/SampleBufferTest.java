package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SampleBufferTest {

    @Test
    void thirtyMillisecondPacketsBecomeGaplessTwentyMillisecondFramesInOrder() {
        SampleBuffer buffer = new SampleBuffer();
        short next = 0;
        short expected = 0;
        int frames = 0;
        // Simulated time in ms: a packet of 240 samples every 30 ms, a frame read every 20 ms, for 3 s.
        for (int t = 0; t < 3000; t++) {
            if (t % 30 == 0) {
                short[] packet = new short[240];
                for (int i = 0; i < 240; i++) {
                    packet[i] = next++;
                }
                buffer.write(packet, 240);
            }
            if (t % 20 == 10) {
                short[] frame = buffer.read();
                if (frame == null) {
                    assertThat(frames).as("silence only while the buffer first fills").isZero();
                    continue;
                }
                frames++;
                for (short s : frame) {
                    assertThat(s).isEqualTo(expected++);
                }
            }
        }
        assertThat(frames).isGreaterThan(145);
    }

    @Test
    void aWriterThatRunsAheadIsCutBackSoLatencyStaysBounded() {
        SampleBuffer buffer = new SampleBuffer();
        for (int i = 0; i < 20; i++) {
            short[] packet = new short[160];
            java.util.Arrays.fill(packet, (short) i);
            buffer.write(packet, 160);
        }
        java.util.List<Short> frames = new java.util.ArrayList<>();
        for (short[] frame = buffer.read(); frame != null; frame = buffer.read()) {
            frames.add(frame[0]);
        }
        assertThat(frames.size()).as("at most 120 ms behind").isBetween(2, 6);
        assertThat(frames).isSorted().endsWith((short) 19);
    }
}
