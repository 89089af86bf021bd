package io.callflow.media;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The parts of an SDP (RFC 4566) audio offer or answer Callflow needs: where to send RTP, the payload types in the
 * sender's order of preference, and the direction. Offer/answer per RFC 3264: the answer keeps the offer's order.
 */
record Sdp(String address, int port, List<Integer> payloadTypes, Map<Integer, String> rtpmap, String direction) {

    static final int PCMU = 0;
    static final int PCMA = 8;
    /** RFC 4566 section 5.14: the transport port; RTP over UDP (RFC 768) has 16 bits. */
    private static final int MAX_PORT = 65535;
    /** RFC 3550 section 5.1: the payload type field has 7 bits. */
    private static final int MAX_PAYLOAD_TYPE = 127;
    private static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9.:-]{1,255}");

    static Sdp parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("empty SDP");
        }
        String sessionAddress = null;
        String mediaAddress = null;
        int port = -1;
        List<Integer> types = new ArrayList<>();
        Map<Integer, String> rtpmap = new LinkedHashMap<>();
        String direction = "sendrecv";
        boolean inAudio = false;
        for (String raw : text.split("\r?\n")) {
            String line = raw.trim();
            if (line.startsWith("m=")) {
                String[] f = line.substring(2).split("\\s+");
                inAudio = f[0].equals("audio") && port < 0;
                // RFC 4566 section 5.14: m=<media> <port> <proto> <fmt> ...
                if (inAudio && f.length < 3) {
                    throw new IllegalArgumentException("bad media line: " + line);
                }
                if (inAudio) {
                    port = number(f[1], MAX_PORT, line);
                    for (int i = 3; i < f.length; i++) {
                        types.add(number(f[i], MAX_PAYLOAD_TYPE, line));
                    }
                }
            } else if (line.startsWith("c=")) {
                String[] f = line.substring(2).split("\\s+");
                if (f.length < 3) {
                    throw new IllegalArgumentException("bad connection line: " + line);
                }
                // RFC 4566 section 9: unicast-address = IP4-address / IP6-address / FQDN; anything else (control
                // characters, a multicast TTL) would only be looked up as a host name that does not exist. Checked
                // only where the address is used: another stream's connection line is none of our business.
                if ((inAudio || port < 0) && !ADDRESS.matcher(f[2]).matches()) {
                    throw new IllegalArgumentException("bad connection address: " + line);
                }
                if (inAudio) {
                    mediaAddress = f[2];
                } else if (port < 0) {
                    sessionAddress = f[2];
                }
            } else if (line.startsWith("a=rtpmap:") && inAudio) {
                String[] f = line.substring(9).split("\\s+", 2);
                if (f.length < 2) {
                    throw new IllegalArgumentException("bad rtpmap line: " + line);
                }
                rtpmap.put(number(f[0], MAX_PAYLOAD_TYPE, line), f[1].toLowerCase(Locale.ROOT));
            } else if (inAudio && (line.equals("a=sendonly") || line.equals("a=recvonly") || line.equals("a=inactive")
                    || line.equals("a=sendrecv"))) {
                direction = line.substring(2);
            }
        }
        String address = mediaAddress != null ? mediaAddress : sessionAddress;
        if (port < 0 || address == null) {
            throw new IllegalArgumentException("SDP has no audio stream with a connection address");
        }
        return new Sdp(address, port, types, rtpmap, direction);
    }

    /**
     * A decimal field within 0..max. Out of range is as unreadable as not a number: a payload type of 925 would be
     * answered (and listened for) as a telephone-event type no packet can carry.
     */
    private static int number(String field, int max, String line) {
        int value = Integer.parseInt(field);
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("out of range (0-" + max + "): " + line);
        }
        return value;
    }

    /** The first codec of the offer we support (PCMU or PCMA), in the offerer's order; -1 when there is none. */
    int firstCommonCodec() {
        for (int type : payloadTypes) {
            String map = rtpmap.get(type);
            if ((type == PCMU && (map == null || map.startsWith("pcmu/8000")))
                    || (type == PCMA && (map == null || map.startsWith("pcma/8000")))) {
                return type;
            }
            if (map != null && (map.startsWith("pcmu/8000") || map.startsWith("pcma/8000")) && type >= 96) {
                return map.startsWith("pcmu") ? PCMU : PCMA;
            }
        }
        return -1;
    }

    /** The payload type the offer uses for RFC 4733 telephone-event, or -1. */
    int telephoneEvent() {
        return rtpmap.entrySet().stream().filter(e -> e.getValue().startsWith("telephone-event/8000"))
                .mapToInt(Map.Entry::getKey).findFirst().orElse(-1);
    }

    /** Our SDP for one audio stream: the codec(s) and telephone-event, in the order given. */
    static String describe(long sessionId, String address, int port, List<Integer> codecs, int telephoneEvent,
            String direction) {
        return describe(sessionId, address, port, codecs, telephoneEvent, direction, "RTP/AVP", null);
    }

    /** As above with a transport protocol ({@code RTP/AVP} or {@code RTP/SAVP}) and an SDES key (RFC 4568), or null. */
    static String describe(long sessionId, String address, int port, List<Integer> codecs, int telephoneEvent,
            String direction, String profile, SdesCrypto crypto) {
        StringBuilder sdp = new StringBuilder();
        sdp.append("v=0\r\n");
        sdp.append("o=callflow ").append(sessionId).append(' ').append(sessionId).append(" IN IP4 ").append(address)
                .append("\r\n");
        sdp.append("s=callflow\r\n");
        sdp.append("c=IN IP4 ").append(address).append("\r\n");
        sdp.append("t=0 0\r\n");
        sdp.append("m=audio ").append(port).append(' ').append(profile);
        codecs.forEach(c -> sdp.append(' ').append(c));
        if (telephoneEvent >= 0) {
            sdp.append(' ').append(telephoneEvent);
        }
        sdp.append("\r\n");
        for (int c : codecs) {
            sdp.append("a=rtpmap:").append(c).append(c == PCMA ? " PCMA/8000" : " PCMU/8000").append("\r\n");
        }
        if (telephoneEvent >= 0) {
            sdp.append("a=rtpmap:").append(telephoneEvent).append(" telephone-event/8000\r\n");
            sdp.append("a=fmtp:").append(telephoneEvent).append(" 0-15\r\n");
        }
        sdp.append("a=ptime:20\r\n");
        if (crypto != null) {
            sdp.append("a=crypto:").append(crypto.attribute()).append("\r\n");
        }
        sdp.append("a=").append(direction).append("\r\n");
        return sdp.toString();
    }

    /** RFC 3264 section 6.1: the answer's direction mirrors the offer's. */
    static String answerDirection(String offered) {
        return switch (offered) {
            case "sendonly" -> "recvonly";
            case "recvonly" -> "sendonly";
            case "inactive" -> "inactive";
            default -> "sendrecv";
        };
    }
}
