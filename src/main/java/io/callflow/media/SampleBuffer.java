package io.callflow.media;

/**
 * A small jitter buffer of decoded samples between a leg's event loop (which writes whatever packet size the phone
 * sends: 10, 20, 30 ms...) and the media ticker (which reads 20 ms frames for recording and mixing). Reading starts
 * once two frames are buffered, so packets larger than a frame or arriving unevenly do not cause gaps; when the
 * writer runs ahead (its clock is fast, or the ticker stalled) the oldest samples beyond six frames are dropped, so
 * latency stays bounded. Hand-written because it is thirty lines over a ring of shorts.
 */
final class SampleBuffer {

    private static final int FRAME = 160;
    private static final int START = 2 * FRAME;
    private static final int MAX = 6 * FRAME;

    private final short[] ring = new short[8 * FRAME];
    private int head;
    private int size;
    private boolean started;

    synchronized void write(short[] samples, int length) {
        for (int i = 0; i < length; i++) {
            ring[(head + size) % ring.length] = samples[i];
            if (size < ring.length) {
                size++;
            } else {
                head = (head + 1) % ring.length;
            }
        }
        if (size > MAX) {
            int drop = size - START;
            head = (head + drop) % ring.length;
            size -= drop;
        }
    }

    /** The next 20 ms frame, or null (silence) while too little has arrived. */
    synchronized short[] read() {
        if (!started && size < START) {
            return null;
        }
        started = true;
        if (size == 0) {
            started = false;
            return null;
        }
        short[] frame = new short[FRAME];
        int n = Math.min(FRAME, size);
        for (int i = 0; i < n; i++) {
            frame[i] = ring[(head + i) % ring.length];
        }
        head = (head + n) % ring.length;
        size -= n;
        if (size == 0) {
            started = false;
        }
        return frame;
    }

    synchronized void clear() {
        head = 0;
        size = 0;
        started = false;
    }
}
