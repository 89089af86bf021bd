package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Password guessing over UDP against a running Callflow: the real phone (SIPp from 127.0.0.1) registers first; a
 * guesser at 127.0.0.2 is answered 403 for its first wrong passwords and then not at all; guesses from two more
 * addresses lock the user, so even the right password from a new address is refused, while the real phone still
 * registers from its usual address. Its own context (and SIP port), as the limits are low.
 */
@SpringBootTest
@ActiveProfiles("test")
@DirtiesContext
class SipPasswordGuessingTest {

    static final int SIP_PORT = RunningCallflow.freePort();
    static final int PER_SOURCE = 4;
    static final int PER_USER = 6;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", RunningCallflow.PROVISIONING);
    static final Pattern NONCE = Pattern.compile("nonce=\"([^\"]+)\"");

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 31000, 31099);
        registry.add("callflow.sip.trunks[0].name", () -> "local");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.1/32");
        registry.add("callflow.sip.auth-guard.max-failures-per-source", () -> PER_SOURCE);
        registry.add("callflow.sip.auth-guard.max-failures-per-user", () -> PER_USER);
        registry.add("callflow.sip.auth-guard.block-time", () -> "1m");
    }

    @BeforeAll
    static void sipp() {
        Sipp.requireSipp();
    }

    @Autowired MeterRegistry meters;

    @Test
    void aGuesserIsStoppedAndALockedUserStillRegistersFromItsUsualAddress() throws Exception {
        registerRealPhone();

        try (DatagramSocket guesser = socket("127.0.0.2")) {
            for (int guess = 1; guess <= PER_SOURCE; guess++) {
                assertThat(status(guessOnce(guesser, "1001", "guess-" + guess))).as("guess %d", guess)
                        .isEqualTo(403);
            }
            assertThat(exchange(guesser, register(guesser, "1001", null), 1500))
                    .as("the guesser's next REGISTER, even without credentials").isNull();
        }
        assertThat(meters.get("callflow.sip.auth.blocks").tag("scope", "source").counter().count()).isEqualTo(1);
        assertThat(meters.get("callflow.sip.auth.blocked").tag("scope", "source").counter().count()).isEqualTo(1);

        // Two more addresses bring the user's failures to its limit without reaching their own.
        for (String address : new String[] {"127.0.0.3", "127.0.0.4"}) {
            try (DatagramSocket guesser = socket(address)) {
                assertThat(status(guessOnce(guesser, "1001", "guess"))).isEqualTo(403);
            }
        }
        try (DatagramSocket newAddress = socket("127.0.0.5")) {
            assertThat(status(guessOnce(newAddress, "1001", "alice-1001")))
                    .as("the right password from a new address while the user is locked").isEqualTo(403);
        }
        assertThat(meters.get("callflow.sip.auth.blocks").tag("scope", "user").counter().count()).isEqualTo(1);
        assertThat(meters.get("callflow.sip.auth.failures").tag("reason", "wrong-response").counter().count())
                .isEqualTo(PER_USER);

        registerRealPhone();
    }

    private static void registerRealPhone() throws Exception {
        Sipp.start("agent-register.xml", Sipp.freePort(), SIP_PORT, "-s", "1001", "-au", "1001", "-ap",
                "alice-1001").awaitSuccess(Duration.ofSeconds(30));
    }

    /** One guess: REGISTER, the 401's nonce, REGISTER with a digest of {@code password}; the final answer. */
    private static String guessOnce(DatagramSocket socket, String user, String password) throws IOException {
        String challenge = exchange(socket, register(socket, user, null), 2000);
        assertThat(challenge).as("challenge").startsWith("SIP/2.0 401 ");
        Matcher nonce = NONCE.matcher(challenge);
        assertThat(nonce.find()).isTrue();
        String uri = "sip:127.0.0.1:" + SIP_PORT;
        String ha1 = DigestAuthenticator.hex("MD5", user + ":callflow.local:" + password);
        String response = DigestAuthenticator.response("MD5", ha1, nonce.group(1), 1, "c0ffee", "auth", "REGISTER",
                uri);
        String authorization = "Digest username=\"" + user + "\",realm=\"callflow.local\",nonce=\"" + nonce.group(1)
                + "\",uri=\"" + uri + "\",response=\"" + response + "\",algorithm=MD5,cnonce=\"c0ffee\",qop=auth,"
                + "nc=00000001";
        return exchange(socket, register(socket, user, authorization), 2000);
    }

    private static String register(DatagramSocket socket, String user, String authorization) {
        String id = UUID.randomUUID().toString();
        String local = socket.getLocalAddress().getHostAddress() + ":" + socket.getLocalPort();
        return "REGISTER sip:127.0.0.1:" + SIP_PORT + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP " + local + ";branch=z9hG4bK" + id + ";rport\r\n"
                + "Max-Forwards: 70\r\n"
                + "From: <sip:" + user + "@callflow.local>;tag=" + id.substring(0, 8) + "\r\n"
                + "To: <sip:" + user + "@callflow.local>\r\n"
                + "Call-ID: " + id + "\r\n"
                + "CSeq: 1 REGISTER\r\n"
                + "Contact: <sip:" + user + "@" + local + ">\r\n"
                + (authorization == null ? "" : "Authorization: " + authorization + "\r\n")
                + "Expires: 300\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static DatagramSocket socket(String address) throws IOException {
        return new DatagramSocket(new InetSocketAddress(address, 0));
    }

    /** Sends a request and waits for the first answer, or null if none comes in time. */
    private static String exchange(DatagramSocket socket, String message, int waitMillis) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, InetAddress.getByName("127.0.0.1"), SIP_PORT));
        socket.setSoTimeout(waitMillis);
        byte[] buffer = new byte[65535];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        } catch (SocketTimeoutException e) {
            return null;
        }
    }

    private static int status(String response) {
        assertThat(response).as("an answer").isNotNull();
        return Integer.parseInt(response.substring(8, 11));
    }
}
