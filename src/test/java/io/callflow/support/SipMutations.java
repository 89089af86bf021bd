package io.callflow.support;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * Malformed SIP from valid messages: an INVITE with an SDP offer and a REGISTER, each with a fresh Call-ID and
 * branch, then some bytes replaced by random ones, or the message cut short, or both. The seed is fixed by the
 * caller, so a run's sequence of mutations can be replayed.
 */
public final class SipMutations {

    private final Random random;
    private final int sipPort;
    private final int replyPort;
    private long sequence;

    public SipMutations(long seed, int sipPort, int replyPort) {
        this.random = new Random(seed);
        this.sipPort = sipPort;
        this.replyPort = replyPort;
    }

    /** The next mutated message; {@code kind[0]} is set to what was done (e.g. {@code invite-flipped}). */
    public byte[] next(String[] kind) {
        sequence++;
        boolean invite = random.nextBoolean();
        byte[] message = (invite ? invite() : register()).getBytes(StandardCharsets.UTF_8);
        int how = random.nextInt(10);
        String done;
        if (how < 5) {
            flip(message);
            done = "flipped";
        } else if (how < 8) {
            message = truncate(message);
            done = "truncated";
        } else {
            flip(message);
            message = truncate(message);
            done = "flipped-truncated";
        }
        kind[0] = (invite ? "invite-" : "register-") + done;
        return message;
    }

    private void flip(byte[] message) {
        int flips = 1 + random.nextInt(6);
        for (int i = 0; i < flips; i++) {
            message[random.nextInt(message.length)] = (byte) random.nextInt(256);
        }
    }

    private byte[] truncate(byte[] message) {
        byte[] shorter = new byte[1 + random.nextInt(message.length - 1)];
        System.arraycopy(message, 0, shorter, 0, shorter.length);
        return shorter;
    }

    private String invite() {
        String sdp = "v=0\r\no=mutant 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                + "m=audio 9 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n";
        return "INVITE sip:206@127.0.0.1:" + sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + replyPort + ";branch=z9hG4bKmut" + sequence + "x" + random.nextInt()
                + ";rport\r\nMax-Forwards: 70\r\nFrom: <sip:+4930999" + sequence % 1000 + "@127.0.0.1>;tag=m"
                + sequence + "\r\nTo: <sip:206@127.0.0.1:" + sipPort + ">\r\nCall-ID: mutant-" + sequence + "-"
                + random.nextLong() + "@127.0.0.1\r\nCSeq: 1 INVITE\r\nContact: <sip:mutant@127.0.0.1:" + replyPort
                + ">\r\nContent-Type: application/sdp\r\nContent-Length: " + sdp.length() + "\r\n\r\n" + sdp;
    }

    private String register() {
        return "REGISTER sip:127.0.0.1:" + sipPort + " SIP/2.0\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:" + replyPort + ";branch=z9hG4bKmut" + sequence + "x" + random.nextInt()
                + ";rport\r\nMax-Forwards: 70\r\nFrom: <sip:6000@callflow.local>;tag=m" + sequence
                + "\r\nTo: <sip:6000@callflow.local>\r\nCall-ID: mutant-" + sequence + "-" + random.nextLong()
                + "@127.0.0.1\r\nCSeq: 1 REGISTER\r\nContact: <sip:6000@127.0.0.1:" + replyPort
                + ">\r\nExpires: 300\r\nContent-Length: 0\r\n\r\n";
    }
}
