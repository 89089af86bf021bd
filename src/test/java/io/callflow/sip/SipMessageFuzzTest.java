package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.text.ParseException;
import java.util.Set;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gov.nist.javax.sip.header.CSeq;
import gov.nist.javax.sip.header.CallID;
import gov.nist.javax.sip.header.ContentLength;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.RequestLine;
import gov.nist.javax.sip.header.StatusLine;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPMessage;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.parser.ParseExceptionListener;
import javax.sip.SipFactory;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * Coverage-guided fuzzing of what Callflow does with a datagram that reaches its SIP port, up to the point where a
 * request is handed to the registrar or the B2BUA: the stack's parser as Callflow configures it
 * ({@link SipMessageParserFactory}, non-strict, body read, as {@code UDPMessageChannel} calls it), the stack's
 * drop of a message without its required headers, then {@link SipRequestChecks} and the stateless answer.
 * <p>
 * The contract: parsing returns a message or throws {@link ParseException} (the stack drops the datagram); nothing else
 * (any other exception escapes to the stack's reader thread, which logs an ERROR and loses the datagram). A request
 * the stack delivers is refused by the checks with a 4xx/5xx, or accepted with a Max-Forwards; the checks never
 * throw, and an answer can always be built and encoded. Runs in regression mode on every build (the inputs under
 * {@code SipMessageFuzzTestInputs}), fuzzes with {@code JAZZER_FUZZ=1} (docs/sip.md, "Fuzzing").
 */
class SipMessageFuzzTest {

    /** The headers whose parse error makes {@code UDPMessageChannel.handleException} reject the whole message. */
    private static final Set<Class<?>> REQUIRED = Set.of(From.class, To.class, CSeq.class, Via.class, CallID.class,
            ContentLength.class, RequestLine.class, StatusLine.class);
    /** The statuses {@link SipRequestChecks} refuses with. */
    private static final Set<Integer> REFUSALS = Set.of(400, 415, 416, 420, 505);

    private static final SipContext SIP = context();
    /** As the UDP channel: a broken required header rejects the message, any other broken header is kept unparsed. */
    private static final ParseExceptionListener STACK = (ex, message, headerClass, header, raw) -> {
        if (headerClass == null || REQUIRED.contains(headerClass)) {
            throw ex;
        }
        message.addUnparsed(header);
    };

    private final SipRequestChecks checks = new SipRequestChecks(SIP, new PeerProblemLog(
            org.slf4j.LoggerFactory.getLogger(SipMessageFuzzTest.class)));

    @FuzzTest(maxDuration = "10s")
    void requestsAndResponsesParseOrAreRejected(byte[] datagram) throws Exception {
        SIPMessage message;
        try {
            message = new SipMessageParserFactory().createMessageParser(null).parseSIPMessage(datagram, true, false,
                    STACK);
        } catch (ParseException rejected) {
            return;
        }
        if (message == null || message.getTopmostVia() == null || message.getFrom() == null
                || message.getTo() == null || message.getCallId() == null || message.getCSeq() == null) {
            return; // dropped by the stack ("Dropped Bad Msg")
        }
        // What the stack does with every message it sends or logs.
        assertThat(message.encode()).isNotNull();
        if (!(message instanceof SIPRequest request)) {
            return;
        }
        SipRequestChecks.Refusal refusal = checks.check(request);
        if (refusal == null) {
            assertThat(request.getHeader("Max-Forwards")).as("repaired Max-Forwards").isNotNull();
            // What the B2BUA and registrar read first from an accepted request.
            ((ToHeader) request.getHeader(ToHeader.NAME)).getTag();
            SipRequestChecks.numberOf(request.getRequestURI());
            SipRequestChecks.numberOf(request.getFrom().getAddress().getURI());
        } else {
            assertThat(refusal.status()).isIn(REFUSALS);
            assertThat(refusal.reason()).isNotBlank();
        }
        if (!request.getMethod().equals(Request.ACK)) {
            Response answer = SIP.messages().createResponse(refusal == null ? 200 : refusal.status(), request);
            assertThat(((SIPMessage) answer).encodeAsBytes("UDP")).isNotEmpty();
        }
    }

    private static SipContext context() {
        try {
            SipFactory factory = SipFactory.getInstance();
            factory.setPathName("gov.nist");
            return new SipContext(null, factory.createAddressFactory(), factory.createHeaderFactory(),
                    factory.createMessageFactory(), null, "127.0.0.1", "callflow.local");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
