package io.callflow.sip;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import gov.nist.javax.sip.message.SIPRequest;
import javax.sip.SipFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;

/**
 * Raw SIP messages kept as text files under {@code src/test/resources/sip/}, with {@code ${name}} placeholders,
 * parsed by JAIN-SIP's own message factory as if they had arrived from a source address.
 */
final class RawSip {

    private RawSip() {
    }

    /** The file's text with placeholders filled in and the CRLF line ends SIP requires (RFC 3261 section 7). */
    static String text(String file, Map<String, String> values) {
        try (InputStream in = RawSip.class.getResourceAsStream("/sip/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no test message " + file);
            }
            String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            for (var value : values.entrySet()) {
                text = text.replace("${" + value.getKey() + "}", value.getValue());
            }
            return text.replace("\r\n", "\n").replace("\n", "\r\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Request request(String file, Map<String, String> values, String sourceHost, int sourcePort)
            throws Exception {
        MessageFactory messages = SipFactory.getInstance().createMessageFactory();
        SIPRequest request = (SIPRequest) messages.createRequest(text(file, values));
        // As JAIN-SIP does for a datagram: the packet's source address and port, and a "remote port" from the Via.
        InetAddress source = InetAddress.getByName(sourceHost);
        request.setRemoteAddress(source);
        request.setPeerPacketSourceAddress(source);
        request.setPeerPacketSourcePort(sourcePort);
        request.setRemotePort(request.getTopmostVia().getPort() < 0 ? 5060 : request.getTopmostVia().getPort());
        return request;
    }
}
