package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

/**
 * SDP from the network, mutated with a fixed seed (byte flips, truncations, duplicated and dropped lines, huge
 * values): parsing either succeeds or throws IllegalArgumentException, which the media layer turns into
 * NoCommonCodecException and the SIP layer into 488. Regression: "m=audio" or "a=rtpmap:0" without their fields threw
 * ArrayIndexOutOfBoundsException.
 */
class SdpFuzzTest {

    static final String OFFER = SdpTest.offer("0 8 101", "a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000",
            "a=rtpmap:101 telephone-event/8000", "a=fmtp:101 0-15", "a=ptime:20", "a=sendrecv");

    @Test
    void mutatedOffersParseOrFailWithTheDocumentedException() {
        Random random = new Random(4475);
        int parsed = 0;
        for (int i = 0; i < 20_000; i++) {
            String sdp = mutate(OFFER, random);
            try {
                Sdp offer = Sdp.parse(sdp);
                offer.firstCommonCodec();
                offer.telephoneEvent();
                parsed++;
            } catch (IllegalArgumentException expected) {
                assertThat(expected.getMessage()).isNotNull();
            }
        }
        assertThat(parsed).as("some mutations stay valid").isPositive();
    }

    @Test
    void fieldlessLinesAreIllegalArgumentsNotCrashes() {
        for (String line : new String[] {"m=audio", "m=", "a=rtpmap:0", "a=rtpmap:", "c=IN IP4", "m=audio x RTP/AVP 0",
            "m=audio 5004 RTP/AVP x"}) {
            String sdp = "v=0\r\nc=IN IP4 192.0.2.1\r\nm=audio 5004 RTP/AVP 0\r\n" + line + "\r\n";
            try {
                Sdp.parse(sdp);
            } catch (IllegalArgumentException expected) {
                assertThat(expected).as(line).isNotNull();
            }
        }
    }

    static String mutate(String text, Random random) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String[] lines = text.split("\r\n", -1);
        switch (random.nextInt(6)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                return new String(bytes, StandardCharsets.UTF_8);
            }
            case 1 -> {
                return text.substring(0, random.nextInt(text.length()));
            }
            case 2 -> {
                String line = lines[random.nextInt(lines.length)];
                return text.replace(line + "\r\n", line + "\r\n" + line + "\r\n");
            }
            case 3 -> {
                String line = lines[random.nextInt(lines.length)];
                return text.replace(line + "\r\n", "");
            }
            case 4 -> {
                String line = lines[random.nextInt(lines.length)];
                int cut = line.isEmpty() ? 0 : random.nextInt(line.length());
                return text.replace(line, line.substring(0, cut));
            }
            default -> {
                String line = lines[random.nextInt(lines.length)];
                String huge = random.nextBoolean() ? "9".repeat(40) : "x".repeat(20_000);
                return text.replace(line, line + huge);
            }
        }
    }
}
