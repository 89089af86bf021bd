package io.callflow.sip;

/**
 * Follows the message boundaries of a SIP byte stream (RFC 3261 section 18.3: over a stream transport a message is
 * its header lines up to an empty line, then exactly Content-Length bytes of body) to tell whether a message is half
 * received and since when. It frames as JAIN-SIP's NIO parser does (the full {@code Content-Length} name only, CR and
 * LF between messages skipped as RFC 5626 keep-alives), so its idea of "a message in progress" is the stack's; it
 * parses nothing else. Fed on the stack's selector thread; the times and counts are read from the guard's sweeper.
 */
final class SipStreamFramer {

    private static final String CONTENT_LENGTH = "content-length";
    /** Enough of a header line to recognise Content-Length and read its value; longer lines are only counted. */
    private static final int LINE_PREFIX = 64;

    private enum State { BETWEEN_MESSAGES, HEADERS, BODY }

    private State state = State.BETWEEN_MESSAGES;
    private final StringBuilder line = new StringBuilder(LINE_PREFIX);
    private int lineLength;
    private long contentLength;
    private long bodyRemaining;
    private volatile long messageStartedAt;
    private volatile boolean inMessage;
    private volatile long messagesCompleted;

    /** Takes the next bytes of the stream, received at {@code now} (milliseconds). */
    void accept(byte[] bytes, long now) {
        int i = 0;
        while (i < bytes.length) {
            switch (state) {
                case BETWEEN_MESSAGES -> {
                    byte b = bytes[i++];
                    if (b != '\r' && b != '\n') {
                        state = State.HEADERS;
                        messageStartedAt = now;
                        inMessage = true;
                        contentLength = 0;
                        line.setLength(0);
                        lineLength = 0;
                        headerByte(b);
                    }
                }
                case HEADERS -> headerByte(bytes[i++]);
                case BODY -> {
                    int take = (int) Math.min(bodyRemaining, bytes.length - i);
                    bodyRemaining -= take;
                    i += take;
                    if (bodyRemaining == 0) {
                        complete();
                    }
                }
            }
        }
    }

    private void headerByte(byte b) {
        if (b == '\r') {
            return;
        }
        if (b != '\n') {
            if (line.length() < LINE_PREFIX) {
                line.append((char) (b & 0xFF));
            }
            lineLength++;
            return;
        }
        if (lineLength == 0) {
            if (contentLength > 0) {
                bodyRemaining = contentLength;
                state = State.BODY;
            } else {
                complete();
            }
            return;
        }
        readContentLength();
        line.setLength(0);
        lineLength = 0;
    }

    private void readContentLength() {
        String text = line.toString();
        if (text.length() <= CONTENT_LENGTH.length()
                || !text.regionMatches(true, 0, CONTENT_LENGTH, 0, CONTENT_LENGTH.length())) {
            return;
        }
        long value = 0;
        for (int i = CONTENT_LENGTH.length(); i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= '0' && c <= '9') {
                value = Math.min(value * 10 + (c - '0'), Integer.MAX_VALUE);
            }
        }
        contentLength = value;
    }

    private void complete() {
        state = State.BETWEEN_MESSAGES;
        inMessage = false;
        messagesCompleted++;
    }

    /** Whether part of a message has arrived and the rest has not. */
    boolean inMessage() {
        return inMessage;
    }

    /** When the first byte of the message in progress arrived; meaningful only while {@link #inMessage()}. */
    long messageStartedAt() {
        return messageStartedAt;
    }

    long messagesCompleted() {
        return messagesCompleted;
    }
}
