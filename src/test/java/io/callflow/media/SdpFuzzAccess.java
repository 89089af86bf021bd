package io.callflow.media;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** The SDP mutations of {@link SdpFuzzTest}, for tests elsewhere that send mutated offers in INVITEs. */
public final class SdpFuzzAccess {

    private SdpFuzzAccess() {
    }

    /** The message with its body mutated and its Content-Length set to the new body's length. */
    public static String mutateBody(String message, Random random) {
        int split = message.indexOf("\r\n\r\n");
        String body = SdpFuzzTest.mutate(message.substring(split + 4), random);
        String head = message.substring(0, split).replaceFirst("(?m)^Content-Length: .*$",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length);
        return head + "\r\n\r\n" + body;
    }
}
