package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;

import io.callflow.call.DigestCredential;
import io.callflow.sip.DigestAuthenticator.Verdict;
import org.junit.jupiter.api.Test;
import io.callflow.support.MutableClock;

class DigestAuthenticatorTest {

    static final String URI = "sip:callflow.local";
    static final DigestCredential ALICE = new DigestCredential("1001", "callflow.local",
            h("MD5", "1001:callflow.local:alice-1001"), h("SHA-256", "1001:callflow.local:alice-1001"));

    final MutableClock clock = new MutableClock();
    final DigestAuthenticator digest = new DigestAuthenticator(clock, Duration.ofSeconds(300));

    @Test
    void computesTheResponsesOfTheRfc7616Example() {
        // RFC 7616 section 3.9.1: Mufasa / "Circle of Life", GET /dir/index.html, qop=auth, nc=00000001.
        String nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
        String cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        String a1 = "Mufasa:http-auth@example.org:Circle of Life";
        assertThat(DigestAuthenticator.response("MD5", h("MD5", a1), nonce, 1, cnonce, "auth", "GET",
                "/dir/index.html")).isEqualTo("8ca523f5e9506fed4657c9700eebdbec");
        assertThat(DigestAuthenticator.response("SHA-256", h("SHA-256", a1), nonce, 1, cnonce, "auth", "GET",
                "/dir/index.html")).isEqualTo("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    }

    @Test
    void acceptsTheRightPasswordWithMd5AndWithSha256() {
        String nonce = digest.newNonce();
        assertThat(check(nonce, 1, "MD5", "alice-1001")).isEqualTo(Verdict.OK);
        assertThat(check(nonce, 2, "SHA-256", "alice-1001")).isEqualTo(Verdict.OK);
    }

    @Test
    void twoPhonesChallengedInTheSameMillisecondBothRegister() {
        // Regression: nonces were the issue time only, so two challenges in one millisecond shared a nonce and the
        // second phone's nc=1 was refused as a replay of the first phone's (seen at 1,000 REGISTERs/s).
        String first = digest.newNonce();
        String second = digest.newNonce();
        assertThat(second).isNotEqualTo(first);
        assertThat(check(first, 1, "MD5", "alice-1001")).isEqualTo(Verdict.OK);
        assertThat(check(second, 1, "MD5", "alice-1001")).isEqualTo(Verdict.OK);
    }

    @Test
    void refusesAWrongPassword() {
        assertThat(check(digest.newNonce(), 1, "MD5", "alice-1002")).isEqualTo(Verdict.WRONG);
        assertThat(check(digest.newNonce(), 1, "SHA-256", "guess")).isEqualTo(Verdict.WRONG);
    }

    @Test
    void refusesANonceCountThatDoesNotGrow() {
        String nonce = digest.newNonce();
        assertThat(check(nonce, 1, "MD5", "alice-1001")).isEqualTo(Verdict.OK);
        assertThat(check(nonce, 1, "MD5", "alice-1001")).as("the same response again").isEqualTo(Verdict.REPLAY);
        assertThat(check(nonce, 2, "MD5", "alice-1001")).isEqualTo(Verdict.OK);
        assertThat(check(nonce, 1, "MD5", "alice-1001")).as("an older count").isEqualTo(Verdict.REPLAY);
    }

    @Test
    void answersAnExpiredNonceWithStaleOnlyWhenTheCredentialsAreRight() {
        String nonce = digest.newNonce();
        clock.advance(Duration.ofSeconds(301));
        assertThat(check(nonce, 1, "MD5", "alice-1001")).isEqualTo(Verdict.STALE);
        // stale=true tells the phone its password was right (RFC 7616 section 3.3): never for a wrong one.
        assertThat(check(nonce, 2, "MD5", "wrong")).isEqualTo(Verdict.WRONG);
    }

    @Test
    void refusesANonceItDidNotIssue() {
        String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
                (clock.millis() + ".1:" + "0".repeat(64)).getBytes(StandardCharsets.US_ASCII));
        assertThat(check(forged, 1, "MD5", "alice-1001")).isEqualTo(Verdict.WRONG);
        assertThat(check("not base64 at all!", 1, "MD5", "alice-1001")).isEqualTo(Verdict.WRONG);
        DigestAuthenticator otherNode = new DigestAuthenticator(clock, Duration.ofSeconds(300));
        assertThat(check(otherNode.newNonce(), 1, "MD5", "alice-1001")).as("another secret").isEqualTo(Verdict.WRONG);
    }

    @Test
    void sweepKeepsTheCountsOfLiveNonces() {
        String old = digest.newNonce();
        check(old, 5, "MD5", "alice-1001");
        clock.advance(Duration.ofSeconds(200));
        String fresh = digest.newNonce();
        check(fresh, 5, "MD5", "alice-1001");
        clock.advance(Duration.ofSeconds(150));
        digest.sweep();
        assertThat(check(fresh, 5, "MD5", "alice-1001")).as("count kept for a live nonce").isEqualTo(Verdict.REPLAY);
    }

    private Verdict check(String nonce, int nc, String algorithm, String password) {
        String ha1 = h(algorithm, "1001:callflow.local:" + password);
        String response = DigestAuthenticator.response(algorithm, ha1, nonce, nc, "0a4f113b", "auth", "REGISTER",
                URI);
        return digest.check("REGISTER", URI, nonce, "0a4f113b", nc, "auth", algorithm, response, ALICE);
    }

    static String h(String algorithm, String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm)
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
