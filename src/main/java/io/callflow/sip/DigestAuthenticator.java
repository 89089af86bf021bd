package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.call.DigestCredential;

/**
 * HTTP digest for SIP (RFC 3261 section 22, RFC 7616, RFC 8760): MD5 and SHA-256 with qop=auth. Nonces carry their
 * issue time and a keyed hash, so any node can check them without shared state and an old one is answered with
 * {@code stale=true}; the highest nonce-count seen per nonce is kept, so a replayed response is refused.
 */
final class DigestAuthenticator {

    /** What a check found. */
    enum Verdict { OK, WRONG, STALE, REPLAY }

    private final byte[] secret = new byte[32];
    private final Clock clock;
    private final Duration lifetime;
    private final Map<String, Integer> counts = new ConcurrentHashMap<>();

    DigestAuthenticator(Clock clock, Duration lifetime) {
        new SecureRandom().nextBytes(secret);
        this.clock = clock;
        this.lifetime = lifetime;
    }

    String newNonce() {
        String issued = Long.toString(clock.millis());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (issued + ":" + hex("SHA-256", issued + ":" + HexFormat.of().formatHex(secret)))
                        .getBytes(StandardCharsets.US_ASCII));
    }

    Verdict check(String method, String uri, String nonce, String cnonce, int nonceCount, String qop,
            String algorithm, String response, DigestCredential credential) {
        String decoded;
        try {
            decoded = new String(Base64.getUrlDecoder().decode(nonce), StandardCharsets.US_ASCII);
        } catch (IllegalArgumentException e) {
            return Verdict.WRONG;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0 || !decoded.substring(colon + 1).equals(hex("SHA-256", decoded.substring(0, colon) + ":"
                + HexFormat.of().formatHex(secret)))) {
            return Verdict.WRONG;
        }
        boolean sha = algorithm != null && algorithm.equalsIgnoreCase("SHA-256");
        String ha1 = sha ? credential.ha1Sha256() : credential.ha1Md5();
        if (ha1 == null) {
            return Verdict.WRONG;
        }
        String h = sha ? "SHA-256" : "MD5";
        String ha2 = hex(h, method + ":" + uri);
        String expected = qop == null ? hex(h, ha1 + ":" + nonce + ":" + ha2)
                : hex(h, ha1 + ":" + nonce + ":" + String.format("%08x", nonceCount) + ":" + cnonce + ":" + qop + ":"
                        + ha2);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response == null ? new byte[0] : response.toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.WRONG;
        }
        long issued = Long.parseLong(decoded.substring(0, colon));
        if (clock.millis() - issued > lifetime.toMillis()) {
            counts.remove(nonce);
            return Verdict.STALE;
        }
        if (qop != null) {
            // RFC 7616 section 3.4: the nonce count must grow, or the request is a replay.
            // One atomic step, so two copies of one response racing on two registrar threads cannot both pass.
            boolean[] grew = {false};
            counts.compute(nonce, (key, previous) -> {
                grew[0] = previous == null || nonceCount > previous;
                return grew[0] ? nonceCount : previous;
            });
            if (!grew[0]) {
                return Verdict.REPLAY;
            }
        }
        return Verdict.OK;
    }

    /** Forgets counts of nonces that have expired anyway. */
    void sweep() {
        long now = clock.millis();
        counts.keySet().removeIf(nonce -> {
            try {
                String decoded = new String(Base64.getUrlDecoder().decode(nonce), StandardCharsets.US_ASCII);
                return now - Long.parseLong(decoded.substring(0, decoded.indexOf(':'))) > lifetime.toMillis();
            } catch (RuntimeException e) {
                return true;
            }
        });
    }

    static String hex(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
