package io.callflow.media;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * One SDES crypto attribute (RFC 4568 section 9.1): {@code a=crypto:<tag> <suite> inline:<key||salt>[|lifetime]}.
 * Attributes Callflow cannot honour are skipped, as section 6.3 asks: an unknown suite, a master key identifier (MKI,
 * which would add bytes to every packet), several keys, or session parameters (section 6.3.x, e.g. UNENCRYPTED_SRTP).
 */
record SdesCrypto(int tag, SrtpSuite suite, byte[] key, byte[] salt) {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A fresh random master key and salt for {@code suite} (RFC 4568 section 6.1: keys must be unpredictable). */
    static SdesCrypto generate(int tag, SrtpSuite suite) {
        byte[] material = new byte[SrtpSuite.KEY_LENGTH + SrtpSuite.SALT_LENGTH];
        RANDOM.nextBytes(material);
        return new SdesCrypto(tag, suite, Arrays.copyOf(material, SrtpSuite.KEY_LENGTH),
                Arrays.copyOfRange(material, SrtpSuite.KEY_LENGTH, material.length));
    }

    /** The usable crypto attributes of the first audio stream of an SDP, in the offerer's order of preference. */
    static List<SdesCrypto> of(String sdp) {
        List<SdesCrypto> found = new ArrayList<>();
        boolean inAudio = false;
        boolean seenAudio = false;
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=")) {
                inAudio = line.startsWith("m=audio") && !seenAudio;
                seenAudio |= inAudio;
            } else if (inAudio && line.startsWith("a=crypto:")) {
                parse(line.substring(9)).ifPresent(found::add);
            }
        }
        return found;
    }

    /** The transport protocol of the first audio stream: {@code RTP/AVP}, {@code RTP/SAVP}, ... */
    static String profile(String sdp) {
        for (String raw : sdp.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=audio")) {
                String[] fields = line.split("\\s+");
                return fields.length > 2 ? fields[2] : "";
            }
        }
        return "";
    }

    static Optional<SdesCrypto> parse(String attribute) {
        String[] fields = attribute.trim().split("\\s+");
        if (fields.length != 3 || !fields[2].startsWith("inline:")) {
            return Optional.empty();
        }
        try {
            int tag = Integer.parseInt(fields[0]);
            Optional<SrtpSuite> suite = SrtpSuite.named(fields[1]);
            String[] keyParams = fields[2].substring(7).split("\\|");
            // key||salt, then an optional lifetime; a third part is an MKI, which Callflow does not do.
            if (suite.isEmpty() || keyParams.length > 2 || (keyParams.length == 2 && keyParams[1].contains(":"))) {
                return Optional.empty();
            }
            byte[] material = Base64.getDecoder().decode(keyParams[0]);
            if (material.length != SrtpSuite.KEY_LENGTH + SrtpSuite.SALT_LENGTH) {
                return Optional.empty();
            }
            return Optional.of(new SdesCrypto(tag, suite.get(), Arrays.copyOf(material, SrtpSuite.KEY_LENGTH),
                    Arrays.copyOfRange(material, SrtpSuite.KEY_LENGTH, material.length)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The attribute's value, for {@code a=crypto:} in our SDP. */
    String attribute() {
        byte[] material = new byte[key.length + salt.length];
        System.arraycopy(key, 0, material, 0, key.length);
        System.arraycopy(salt, 0, material, key.length, salt.length);
        return tag + " " + suite.name() + " inline:" + Base64.getEncoder().encodeToString(material);
    }

    SrtpContext context() {
        return new SrtpContext(suite, key, salt);
    }

    @Override
    public String toString() {
        // Never the key: this record may end up in a log line.
        return "SdesCrypto[" + tag + " " + suite + "]";
    }
}
