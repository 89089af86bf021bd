package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** Message boundaries on a SIP byte stream (RFC 3261 section 18.3), whatever the chunks they arrive in. */
class SipStreamFramerTest {

    static final String WITH_BODY = "MESSAGE sip:a@b SIP/2.0\r\nCall-ID: x\r\nContent-Length: 5\r\n\r\nhello";
    static final String WITHOUT_BODY = "OPTIONS sip:a@b SIP/2.0\r\nCall-ID: y\r\ncontent-length:0\r\n\r\n";

    final SipStreamFramer framer = new SipStreamFramer();

    @Test
    void aMessageInOneChunkIsComplete() {
        feed(WITHOUT_BODY, 1);
        assertThat(framer.inMessage()).isFalse();
        assertThat(framer.messagesCompleted()).isEqualTo(1);
    }

    @Test
    void aMessageDribbledByteByByteIsInProgressFromItsFirstByteUntilItsBodyIsComplete() {
        for (int i = 0; i < WITH_BODY.length() - 1; i++) {
            feed(WITH_BODY.substring(i, i + 1), 100 + i);
            assertThat(framer.inMessage()).as("after byte %d", i).isTrue();
            assertThat(framer.messageStartedAt()).isEqualTo(100);
        }
        feed(WITH_BODY.substring(WITH_BODY.length() - 1), 999);
        assertThat(framer.inMessage()).isFalse();
        assertThat(framer.messagesCompleted()).isEqualTo(1);
    }

    @Test
    void aCompleteMessageFollowedByPartOfTheNextLeavesTheNextInProgressSinceThatChunk() {
        feed(WITH_BODY + WITHOUT_BODY.substring(0, 10), 7);
        assertThat(framer.messagesCompleted()).isEqualTo(1);
        assertThat(framer.inMessage()).isTrue();
        assertThat(framer.messageStartedAt()).isEqualTo(7);
        feed(WITHOUT_BODY.substring(10), 8);
        assertThat(framer.messagesCompleted()).isEqualTo(2);
        assertThat(framer.inMessage()).isFalse();
    }

    @Test
    void keepAlivesBetweenMessagesStartNothing() {
        // RFC 5626 section 4.4.1: a double CRLF ping, answered by the stack with a single CRLF.
        feed("\r\n\r\n", 1);
        assertThat(framer.inMessage()).isFalse();
        assertThat(framer.messagesCompleted()).isZero();
        feed(WITHOUT_BODY + "\r\n\r\n", 2);
        assertThat(framer.inMessage()).isFalse();
        assertThat(framer.messagesCompleted()).isEqualTo(1);
    }

    @Test
    void aBodyLongerThanItsChunkIsAwaited() {
        String big = "INFO sip:a@b SIP/2.0\r\nContent-Length: 100000\r\n\r\n";
        feed(big + "x".repeat(1000), 1);
        assertThat(framer.inMessage()).isTrue();
        feed("x".repeat(99_000), 2);
        assertThat(framer.inMessage()).isFalse();
    }

    private void feed(String text, long now) {
        framer.accept(text.getBytes(StandardCharsets.UTF_8), now);
    }
}
