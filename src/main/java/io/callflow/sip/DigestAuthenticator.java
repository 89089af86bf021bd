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
import java.util.concurrent.ThreadLocalRandom;

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

    /**
     * A fresh nonce: issue time, a random part and a keyed hash of both. The random part makes every nonce unique:
     * nonce counts are kept per nonce, so two phones challenged in the same millisecond must not share one, or the
     * second phone's first response (nc=1) would look like a replay of the first phone's. It needs no secrecy (the
     * keyed hash makes nonces unforgeable), so a fast non-cryptographic generator will do.
     */
    String newNonce() {
        String stamp = clock.millis() + "." + Long.toHexString(ThreadLocalRandom.current().nextLong());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(
                (stamp + ":" + keyedHash(stamp)).getBytes(StandardCharsets.US_ASCII));
    }

    private String keyedHash(String stamp) {
        return hex("SHA-256", stamp + ":" + HexFormat.of().formatHex(secret));
    }

    /** When a nonce was issued; only for nonces whose keyed hash was checked. */
    private static long issued(String decoded) {
        return Long.parseLong(decoded.substring(0, decoded.indexOf('.')));
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
        if (colon < 0 || decoded.indexOf('.') < 0 || decoded.indexOf('.') > colon
                || !decoded.substring(colon + 1).equals(keyedHash(decoded.substring(0, colon)))) {
            return Verdict.WRONG;
        }
        boolean sha = algorithm != null && algorithm.equalsIgnoreCase("SHA-256");
        String ha1 = sha ? credential.ha1Sha256() : credential.ha1Md5();
        if (ha1 == null) {
            return Verdict.WRONG;
        }
        String expected = response(sha ? "SHA-256" : "MD5", ha1, nonce, nonceCount, cnonce, qop, method, uri);
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                response == null ? new byte[0] : response.toLowerCase().getBytes(StandardCharsets.US_ASCII))) {
            return Verdict.WRONG;
        }
        if (clock.millis() - issued(decoded) > lifetime.toMillis()) {
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
                return now - issued(decoded) > lifetime.toMillis();
            } catch (RuntimeException e) {
                return true;
            }
        });
    }

    /** The expected digest response (RFC 7616 section 3.4.1); without qop the RFC 2069 form RFC 3261 still allows. */
    static String response(String algorithm, String ha1, String nonce, int nonceCount, String cnonce, String qop,
            String method, String uri) {
        String ha2 = hex(algorithm, method + ":" + uri);
        return qop == null ? hex(algorithm, ha1 + ":" + nonce + ":" + ha2)
                : hex(algorithm, ha1 + ":" + nonce + ":" + String.format("%08x", nonceCount) + ":" + cnonce + ":"
                        + qop + ":" + ha2);
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
