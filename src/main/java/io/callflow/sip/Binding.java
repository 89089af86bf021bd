package io.callflow.sip;

import java.time.Instant;

/**
 * One registered contact of a user, with the source address and transport its REGISTER came from (RFC 3581), and the
 * Call-ID and CSeq of that REGISTER (RFC 3261 section 10.3 step 7; null and 0 for a binding loaded from the database).
 */
record Binding(String user, String contact, Instant expiresAt, String sourceHost, int sourcePort, String transport,
        String callId, long cseq) {

    /** RFC 3261 section 10.3 step 7: a REGISTER of the same Call-ID must carry a higher CSeq than the binding's. */
    boolean mayBeUpdatedBy(String requestCallId, long requestCseq) {
        return callId == null || !callId.equals(requestCallId) || requestCseq > cseq;
    }
}
