package io.callflow.media;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/** Random SDP mutations for tests elsewhere that send mutated offers in INVITEs (SipParserFuzzTest). */
public final class SdpFuzzAccess {

    private SdpFuzzAccess() {
    }

    /** The message with its body mutated and its Content-Length set to the new body's length. */
    public static String mutateBody(String message, Random random) {
        int split = message.indexOf("\r\n\r\n");
        String body = mutate(message.substring(split + 4), random);
        String head = message.substring(0, split).replaceFirst("(?m)^Content-Length: .*$",
                "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length);
        return head + "\r\n\r\n" + body;
    }

    /** Byte flips, a truncation, a duplicated, dropped or cut line, or a huge value. */
    static String mutate(String text, Random random) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        String[] lines = text.split("\r\n", -1);
        String line = lines[random.nextInt(lines.length)];
        return switch (random.nextInt(6)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                }
                yield new String(bytes, StandardCharsets.UTF_8);
            }
            case 1 -> text.substring(0, random.nextInt(text.length()));
            case 2 -> text.replace(line + "\r\n", line + "\r\n" + line + "\r\n");
            case 3 -> text.replace(line + "\r\n", "");
            case 4 -> text.replace(line, line.substring(0, line.isEmpty() ? 0 : random.nextInt(line.length())));
            default -> text.replace(line, line + (random.nextBoolean() ? "9".repeat(40) : "x".repeat(20_000)));
        };
    }
}
