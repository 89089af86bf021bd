package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.call.LegId;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The media engine relaying between an SRTP caller (a small SRTP peer on loopback, keyed by SDES like a phone) and a
 * plain RTP agent: what the caller sends arrives at the agent decrypted, byte for byte, what the agent sends reaches
 * the caller encrypted under the key of our answer, and forged packets go nowhere.
 */
class SrtpRelayTest {

    static final String KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz";
    static Path root;
    static SimpleMeterRegistry meters = new SimpleMeterRegistry();
    static NettyMediaEngine engine;

    final List<MediaLeg> legs = new ArrayList<>();
    final List<DatagramSocket> sockets = new ArrayList<>();

    @BeforeAll
    static void start() throws IOException {
        root = Files.createTempDirectory("srtp-test");
        Files.createDirectories(root.resolve("prompts"));
        MediaProperties properties = new MediaProperties("127.0.0.1", "127.0.0.1", 42900, 42999,
                Duration.ofSeconds(30), InbandDtmf.OFF, RecordingChannels.STEREO, root.resolve("recordings"), 1, true);
        ContentProperties content = new ContentProperties(root, root, root.resolve("prompts"), root, false,
                Duration.ofMillis(500));
        engine = new NettyMediaEngine(properties, new PromptLibrary(content),
                new CallEventPublisher(new CallLanes(Runnable::run), event -> { }), meters, root);
    }

    @AfterAll
    static void stop() {
        engine.close();
    }

    @AfterEach
    void release() {
        legs.forEach(engine::release);
        sockets.forEach(DatagramSocket::close);
    }

    @Test
    void anSrtpCallerAndAPlainAgentHearEachOtherThroughTheRelay() throws Exception {
        DatagramSocket caller = socket();
        DatagramSocket agent = socket();
        CallId call = new CallId("srtp-" + System.nanoTime());
        MediaLeg callerLeg = engine.answer(call, new LegId("caller-" + call.value()),
                offer(caller.getLocalPort(), "RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^31"),
                SrtpPolicy.REQUIRED);
        legs.add(callerLeg);
        assertThat(callerLeg.localSdp()).contains("m=audio ").contains(" RTP/SAVP 0")
                .containsPattern("a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}\r\n");
        MediaLeg agentLeg = engine.offer(call, new LegId("agent-" + call.value()), SrtpPolicy.OFF);
        legs.add(agentLeg);
        assertThat(agentLeg.localSdp()).contains(" RTP/AVP ").doesNotContain("a=crypto");
        engine.answered(agentLeg, offer(agent.getLocalPort(), "RTP/AVP", ""));
        // The bridge is set up on the media ticker: the loop below sends for up to a second until both sides hear.
        engine.bridge(call, agentLeg.legId());

        SrtpContext callerSends = SdesCrypto.parse("1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY).orElseThrow().context();
        SrtpContext callerHears = SdesCrypto.of(callerLeg.localSdp()).get(0).context();
        InetSocketAddress callerSide = new InetSocketAddress("127.0.0.1", Sdp.parse(callerLeg.localSdp()).port());
        InetSocketAddress agentSide = new InetSocketAddress("127.0.0.1", Sdp.parse(agentLeg.localSdp()).port());

        byte[] spoken = payload();
        byte[] answered = payload();
        byte[] heardByAgent = null;
        byte[] heardByCaller = null;
        for (int i = 0; i < 50 && (heardByAgent == null || heardByCaller == null); i++) {
            byte[] rtp = rtp(i, spoken);
            send(caller, callerSends.protect(rtp, rtp.length), callerSide);
            send(agent, rtp(i, answered), agentSide);
            byte[] atAgent = receive(agent);
            if (atAgent != null && Arrays.equals(payloadOf(atAgent), spoken)) {
                heardByAgent = atAgent;
            }
            byte[] atCaller = receive(caller);
            byte[] decrypted = atCaller == null ? null : callerHears.unprotect(atCaller, atCaller.length);
            if (decrypted != null && Arrays.equals(payloadOf(decrypted), answered)) {
                heardByCaller = atCaller;
            }
            Thread.sleep(20);
        }
        assertThat(heardByAgent).as("the caller's audio reached the agent in plain RTP").isNotNull();
        assertThat(heardByCaller).as("the agent's audio reached the caller in SRTP").isNotNull();
        assertThat(heardByCaller.length).isEqualTo(12 + 160 + 10);
        assertThat(payloadOf(heardByCaller)).isNotEqualTo(answered);
    }

    @Test
    void aForgedPacketIsDroppedAndCounted() throws Exception {
        DatagramSocket caller = socket();
        CallId call = new CallId("srtp-forged-" + System.nanoTime());
        MediaLeg leg = engine.answer(call, new LegId("caller-" + call.value()),
                offer(caller.getLocalPort(), "RTP/SAVP", "a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:" + KEY),
                SrtpPolicy.OPTIONAL);
        legs.add(leg);
        assertThat(leg.localSdp()).contains("a=crypto:1 AES_CM_128_HMAC_SHA1_32 inline:");
        double before = dropped();
        InetSocketAddress callerSide = new InetSocketAddress("127.0.0.1", Sdp.parse(leg.localSdp()).port());
        SrtpContext wrongKey = new SrtpContext(SrtpSuite.AES_CM_128_HMAC_SHA1_32, new byte[16], new byte[14]);
        byte[] rtp = rtp(1, payload());
        send(caller, wrongKey.protect(rtp, rtp.length), callerSide);
        send(caller, rtp, callerSide);
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (dropped() < before + 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(dropped()).isEqualTo(before + 2);
    }

    @Test
    void offersThatDoNotMeetThePolicyAreRefused() throws Exception {
        CallId call = new CallId("srtp-policy-" + System.nanoTime());
        assertThatThrownBy(() -> engine.answer(call, new LegId("a"), offer(40000, "RTP/AVP", ""),
                SrtpPolicy.REQUIRED)).isInstanceOf(NoCommonCodecException.class).hasMessageContaining("SRTP");
        assertThatThrownBy(() -> engine.answer(call, new LegId("b"), offer(40000, "RTP/SAVP",
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY), SrtpPolicy.OFF))
                .isInstanceOf(NoCommonCodecException.class).hasMessageContaining("SRTP is off");
        // A key with a master key identifier is one Callflow cannot use: as good as no key.
        assertThatThrownBy(() -> engine.answer(call, new LegId("c"), offer(40000, "RTP/SAVP",
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY + "|2^20|1:4"), SrtpPolicy.OPTIONAL))
                .isInstanceOf(NoCommonCodecException.class);
        MediaLeg plain = engine.answer(call, new LegId("d"), offer(40000, "RTP/AVP",
                "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:" + KEY), SrtpPolicy.OFF);
        legs.add(plain);
        assertThat(plain.localSdp()).contains(" RTP/AVP ").doesNotContain("a=crypto");
    }

    private double dropped() {
        return meters.get("callflow.rtp.dropped").tag("reason", "srtp-auth").counter().count();
    }

    private DatagramSocket socket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        socket.setSoTimeout(50);
        sockets.add(socket);
        return socket;
    }

    private static String offer(int port, String profile, String crypto) {
        return "v=0\r\no=phone 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port + " "
                + profile + " 0\r\na=rtpmap:0 PCMU/8000\r\n" + (crypto.isEmpty() ? "" : crypto + "\r\n");
    }

    private static byte[] payload() {
        byte[] payload = new byte[160];
        ThreadLocalRandom.current().nextBytes(payload);
        return payload;
    }

    private static byte[] rtp(int sequence, byte[] payload) {
        return ByteBuffer.allocate(12 + payload.length).put((byte) 0x80).put((byte) 0).putShort((short) sequence)
                .putInt(160 * sequence).putInt(0x1234abcd).put(payload).array();
    }

    private static byte[] payloadOf(byte[] rtp) {
        return Arrays.copyOfRange(rtp, 12, 12 + 160);
    }

    private static void send(DatagramSocket socket, byte[] datagram, InetSocketAddress to) throws IOException {
        socket.send(new DatagramPacket(datagram, datagram.length, to));
    }

    private static byte[] receive(DatagramSocket socket) throws IOException {
        byte[] buffer = new byte[2048];
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        try {
            socket.receive(packet);
            return Arrays.copyOf(buffer, packet.getLength());
        } catch (SocketTimeoutException e) {
            return null;
        }
    }
}
