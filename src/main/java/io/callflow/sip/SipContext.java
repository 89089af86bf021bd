package io.callflow.sip;

import javax.sip.ListeningPoint;
import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.MessageFactory;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** The running SIP stack's provider and factories, shared by the registrar and the B2BUA. */
record SipContext(SipProvider provider, AddressFactory addresses, HeaderFactory headers, MessageFactory messages,
        ListeningPoint udp, String advertisedAddress, String domain) {

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
