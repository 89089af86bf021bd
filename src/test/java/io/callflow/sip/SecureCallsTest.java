package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.UUID;

import io.callflow.support.Baresip;
import io.callflow.support.TestContent;
import io.callflow.support.Tones;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * SIP over TLS and SRTP against a running Callflow: a trunk that requires both (127.0.0.2) and one that allows SRTP
 * (127.0.0.1), certificates as PEM files made by openssl and replaced while running, raw SIP over a JSSE socket for
 * the policy answers, and real baresip phones for SRTP calls with audio both ways.
 */
@SpringBootTest
@ActiveProfiles("test")
@ExtendWith(OutputCaptureExtension.class)
class SecureCallsTest {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
            dids:
              - { did: "400", flow: secure-agent }
              - { did: "402", flow: sip-answer-wait }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING)
            .with("processes/secure-agent.bpmn", SipTestFlows.menuThenAgent("secure-agent", false))
            .with("processes/sip-answer-wait.bpmn", SipTestFlows.answerAndWait());
    static final Path CERTS = CONTENT.root().resolve("tls");
    static final int SIP_PORT = RunningCallflow.freePort();
    static final int TLS_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(10);
    static final double CALLER_TONE = 697;
    static final double AGENT_TONE = 1209;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 42000, 42499);
        registry.add("callflow.sip.tls.enabled", () -> true);
        registry.add("callflow.sip.tls.port", () -> TLS_PORT);
        registry.add("callflow.sip.tls.certificate", () -> CERTS.resolve("cert.pem").toString());
        registry.add("callflow.sip.tls.private-key", () -> CERTS.resolve("key.pem").toString());
        registry.add("callflow.sip.tls.reload-check", () -> "200ms");
        registry.add("callflow.sip.trunks[0].name", () -> "local");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.1/32");
        registry.add("callflow.sip.trunks[1].name", () -> "secure");
        registry.add("callflow.sip.trunks[1].cidrs[0]", () -> "127.0.0.2/32");
        registry.add("callflow.sip.trunks[1].srtp", () -> "required");
        registry.add("callflow.sip.trunks[1].tls", () -> "required");
        registry.add("callflow.sip.agents.srtp", () -> "optional");
    }

    static Path callerTone;
    static Path agentTone;

    @BeforeAll
    static void certificatesAndTones() throws Exception {
        TestCertificates.requireOpenssl();
        TestCertificates.selfSigned(CERTS, "first");
        callerTone = Tones.wav(CALLER_TONE, 20);
        agentTone = Tones.wav(AGENT_TONE, 20);
    }

    // ---- policies, over raw SIP ----

    @Test
    void aTrunkThatRequiresTlsIsRefusedOverUdp() throws Exception {
        try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            udp.setSoTimeout(5000);
            byte[] invite = invite("udp", "127.0.0.2", udp.getLocalPort(), "402", sdp("RTP/SAVP", true))
                    .getBytes(StandardCharsets.UTF_8);
            udp.send(new DatagramPacket(invite, invite.length, InetAddress.getLoopbackAddress(), SIP_PORT));
            String response = "";
            while (!response.startsWith("SIP/2.0 4")) {
                DatagramPacket packet = new DatagramPacket(new byte[4096], 4096);
                udp.receive(packet);
                response = new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
            }
            assertThat(response).startsWith("SIP/2.0 403 TLS required");
        }
    }

    @Test
    void aPlainOfferFromATrunkThatRequiresSrtpGets488() throws Exception {
        try (SSLSocket tls = connect("127.0.0.2")) {
            send(tls, invite("tls", "127.0.0.2", tls.getLocalPort(), "402", sdp("RTP/AVP", false)));
            assertThat(finalResponse(tls)).startsWith("SIP/2.0 488 SRTP policy not met");
        }
    }

    @Test
    void aCallOverTlsOfferingSdesIsAnsweredWithSrtpOverTls() throws Exception {
        try (SSLSocket tls = connect("127.0.0.2")) {
            String callId = UUID.randomUUID().toString();
            send(tls, invite("tls", "127.0.0.2", tls.getLocalPort(), "402", sdp("RTP/SAVP", true))
                    .replace("${callId}", callId));
            String ok = finalResponse(tls);
            assertThat(ok).startsWith("SIP/2.0 200")
                    .containsPattern("Contact: <sip:callflow@127\\.0\\.0\\.1:" + TLS_PORT + ";transport=tls>")
                    .containsPattern("m=audio \\d+ RTP/SAVP 0")
                    .containsPattern("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\r\n");
            String toTag = ok.replaceAll("(?s).*\r\nTo: [^\r]*;tag=([^;\r]+).*", "$1");
            send(tls, inDialog("ACK", 1, callId, toTag, tls.getLocalPort()));
            send(tls, inDialog("BYE", 2, callId, toTag, tls.getLocalPort()));
            String byeAnswer = finalResponse(tls);
            while (byeAnswer.contains("CSeq: 1 INVITE")) {
                byeAnswer = finalResponse(tls); // a retransmission of the 200 that crossed our ACK
            }
            assertThat(byeAnswer).startsWith("SIP/2.0 200").contains("CSeq: 2 BYE");
        }
    }

    @Test
    void aReplacedCertificateIsUsedWithoutARestart() throws Exception {
        assertThat(serverName()).isEqualTo("CN=first");
        TestCertificates.selfSigned(CERTS, "second");
        await().atMost(SIGNALLING).pollInterval(Duration.ofMillis(200)).until(() -> serverName().equals("CN=second"));
        TestCertificates.selfSigned(CERTS, "first");
        await().atMost(SIGNALLING).pollInterval(Duration.ofMillis(200)).until(() -> serverName().equals("CN=first"));
    }

    // ---- real phones ----

    @Test
    void anSrtpCallerIsRelayedToAPlainRtpAgentWithAudioBothWays(CapturedOutput output) throws Exception {
        Baresip.require();
        try (Baresip agent = Baresip.agent("1001", "alice-1001", SIP_PORT).source(agentTone).rtpPorts(42500, 42599)
                .start();
                Baresip caller = Baresip.caller().source(callerTone).rtpPorts(42600, 42699)
                        .configLine("module srtp.so").accountParam("mediaenc=srtp-mand").sipTrace().start()) {
            agent.awaitEvent("REGISTER_OK", SIGNALLING);
            caller.dial("sip:400@127.0.0.1:" + SIP_PORT);
            agent.awaitEvent("CALL_INCOMING", SIGNALLING);
            agent.accept();
            SoftphoneInteropTest.awaitHeard(agent, caller);
            caller.hangUp();
            agent.awaitEvent("CALL_CLOSED", SIGNALLING);
            SoftphoneInteropTest.assertHeard(agent, CALLER_TONE, AGENT_TONE);
            SoftphoneInteropTest.assertHeard(caller, AGENT_TONE, CALLER_TONE);
            // The caller's leg was SRTP (its offer was RTP/SAVP with keys, ours answered likewise), the agent's plain.
            assertThat(caller.log()).containsPattern("m=audio \\d+ RTP/SAVP").contains("a=crypto:");
            assertThat(output.getOut()).contains("SRTP AES_CM_128_HMAC_SHA1_80 on leg");
        }
    }

    @Test
    void anAgentRegisteredOverTlsGetsItsCallOverTlsWithSrtp() throws Exception {
        Baresip.require();
        try (Baresip agent = Baresip.agent("1001", "alice-1001", SIP_PORT).transport("tls", TLS_PORT)
                .configLine("sip_cafile " + CERTS.resolve("cert.pem")).configLine("module srtp.so")
                .accountParam("mediaenc=srtp").source(agentTone).rtpPorts(42700, 42799).sipTrace().start();
                Baresip caller = Baresip.caller().source(callerTone).rtpPorts(42800, 42899).start()) {
            agent.awaitEvent("REGISTER_OK", SIGNALLING);
            caller.dial("sip:400@127.0.0.1:" + SIP_PORT);
            agent.awaitEvent("CALL_INCOMING", SIGNALLING);
            agent.accept();
            SoftphoneInteropTest.awaitHeard(agent, caller);
            agent.hangUp();
            caller.awaitEvent("CALL_CLOSED", SIGNALLING);
            SoftphoneInteropTest.assertHeard(agent, CALLER_TONE, AGENT_TONE);
            SoftphoneInteropTest.assertHeard(caller, AGENT_TONE, CALLER_TONE);
            // The INVITE reached the phone over its TLS connection and carried our key; its answer carried its own.
            assertThat(agent.log()).containsPattern("INVITE sip:1001[^@ ]*@127\\.0\\.0\\.1:\\d+;transport=tls")
                    .containsPattern("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:")
                    .contains("SRTP is Enabled (cryptosuite=AES_CM_128_HMAC_SHA1_80)");
        }
    }

    // ---- raw SIP over TLS ----

    private static SSLSocket connect(String from) throws Exception {
        SSLSocket socket = (SSLSocket) TestCertificates.trusting(CERTS.resolve("cert.pem")).getSocketFactory()
                .createSocket();
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", TLS_PORT), 5000);
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        return socket;
    }

    private static String serverName() throws Exception {
        try (SSLSocket socket = connect("127.0.0.1")) {
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal()
                    .getName();
        } catch (javax.net.ssl.SSLHandshakeException notTrustedYet) {
            // The files changed between our reading them and the server's: try again.
            return "";
        }
    }

    private static String sdp(String profile, boolean key) {
        return "v=0\r\no=caller 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\n"
                + "m=audio 42998 " + profile + " 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
                + (key ? "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz\r\n" : "");
    }

    private static String invite(String transport, String host, int port, String did, String sdp) {
        return "INVITE sip:" + did + "@127.0.0.1;transport=" + transport + " SIP/2.0\r\n"
                + "Via: SIP/2.0/" + transport.toUpperCase() + " " + host + ":" + port + ";branch=z9hG4bK"
                + UUID.randomUUID() + "\r\n"
                + "From: <sip:+4930555@" + host + ">;tag=caller\r\n"
                + "To: <sip:" + did + "@127.0.0.1>\r\n"
                + "Call-ID: ${callId}\r\n"
                + "CSeq: 1 INVITE\r\n"
                + "Contact: <sip:caller@" + host + ":" + port + ";transport=" + transport + ">\r\n"
                + "Max-Forwards: 70\r\nContent-Type: application/sdp\r\n"
                + "Content-Length: " + sdp.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + sdp;
    }

    private static String inDialog(String method, int cseq, String callId, String toTag, int port) {
        return method + " sip:callflow@127.0.0.1:" + TLS_PORT + ";transport=tls SIP/2.0\r\n"
                + "Via: SIP/2.0/TLS 127.0.0.2:" + port + ";branch=z9hG4bK" + UUID.randomUUID() + "\r\n"
                + "From: <sip:+4930555@127.0.0.2>;tag=caller\r\n"
                + "To: <sip:402@127.0.0.1>;tag=" + toTag + "\r\n"
                + "Call-ID: " + callId + "\r\nCSeq: " + cseq + " " + method + "\r\nMax-Forwards: 70\r\n"
                + "Content-Length: 0\r\n\r\n";
    }

    private static void send(SSLSocket socket, String message) throws IOException {
        socket.getOutputStream().write(message.replace("${callId}", UUID.randomUUID().toString())
                .getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
    }

    /** Reads responses until a final one (2xx-6xx), skipping provisional ones and requests from Callflow. */
    private static String finalResponse(SSLSocket socket) throws IOException {
        while (true) {
            String message = read(socket.getInputStream());
            if (message.matches("(?s)SIP/2\\.0 [2-6].*")) {
                return message;
            }
        }
    }

    private static String read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.UTF_8).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("connection closed after: " + head.toString(StandardCharsets.UTF_8));
            }
            head.write(b);
        }
        String headers = head.toString(StandardCharsets.UTF_8);
        if (headers.isBlank()) {
            return read(in); // a CRLF keep-alive (RFC 5626 section 3.5.1)
        }
        int length = Integer.parseInt(headers.replaceAll("(?is).*\r\n(?:Content-Length|l): *(\\d+).*", "$1"));
        return headers + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
