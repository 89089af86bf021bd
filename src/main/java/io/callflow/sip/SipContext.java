package io.callflow.sip;

import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The running SIP stack's provider and factories, shared by the registrar and the B2BUA; {@code tls} is the TLS
 * listening point, null when TLS is off.
 */
record SipContext(SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
        ListeningPoint udp, String advertisedAddress, String domain, ListeningPoint tls) {

    SipContext(SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
            ListeningPoint udp, String advertisedAddress, String domain) {
        this(provider, addresses, headers, messages, udp, advertisedAddress, domain, null);
    }

    /** The port of our listening point for {@code transport} (TLS has its own; UDP and TCP share one). */
    int port(String transport) {
        return tls != null && "tls".equalsIgnoreCase(transport) ? tls.getPort() : udp.getPort();
    }

    void respond(ServerTransaction transaction, Request request, int status, String reason) throws Exception {
        Response response = messages.createResponse(status, request);
        if (reason != null) {
            response.setReasonPhrase(reason);
        }
        if (transaction != null) {
            transaction.sendResponse(response);
        } else {
            provider.sendResponse(response);
        }
    }
}
