package io.callflow.sip;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.stack.MessageChannel;
import javax.sip.address.SipURI;
import javax.sip.address.TelURL;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.RequireHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks RFC 3261 section 8.2 asks of a user agent server before it acts on a new request, in one place, made on
 * the stack's thread before a transaction or dialog exists: a refused request is answered statelessly and leaves
 * nothing behind. Also repairs the one thing an RFC 2543 peer may lack, Max-Forwards (RFC 4475 section 3.4.1).
 * Each refusal is logged at most once a minute per cause ({@link PeerProblemLog}).
 */
final class SipRequestChecks {

    private static final Logger log = LoggerFactory.getLogger(SipRequestChecks.class);
    /** RFC 3261 section 8.2.2.1: the schemes of a Request-URI Callflow serves. */
    private static final Set<String> SCHEMES = Set.of("sip", "sips", "tel");
    /** Option tags Callflow supports (RFC 3261 section 8.2.2.3): none, it sends no Supported header. */
    private static final Set<String> SUPPORTED = Set.of();

    private final SipContext sip;
    private final PeerProblemLog problems;

    SipRequestChecks(SipContext sip, PeerProblemLog problems) {
        this.sip = sip;
        this.problems = problems;
    }

    /** Why a request is refused: the status, its reason phrase, and headers the answer must carry. */
    record Refusal(int status, String reason, List<Header> headers) {
    }

    /**
     * Answers a request that fails a check and returns true (nothing more may be done with it); returns false for a
     * request to be handled, after repairing a missing Max-Forwards.
     */
    boolean refused(Request request) {
        if (request.getMethod().equals(Request.ACK)) {
            // An ACK is never answered (RFC 3261 section 17.1.1.3); a broken one is simply not acted upon.
            return false;
        }
        Refusal refusal;
        try {
            refusal = check(request);
        } catch (Exception e) {
            refusal = new Refusal(Response.BAD_REQUEST, "Malformed request", List.of());
        }
        if (refusal == null) {
            return false;
        }
        problems.warn("Refused a " + request.getMethod() + " with " + refusal.status(), refusal.reason()
                + " (from " + ((SIPRequest) request).getRemoteAddress() + ")", null);
        MessageChannel channel = (MessageChannel) ((SIPRequest) request).getMessageChannel();
        answer(request, refusal, channel == null ? null : channel.getTransport());
        return true;
    }

    Refusal check(Request request) throws Exception {
        SIPRequest nist = (SIPRequest) request;
        // RFC 3261 sections 7.1 and 21.5.7: SIP/2.0 is the only version spoken.
        if (!"SIP/2.0".equalsIgnoreCase(nist.getSIPVersion())) {
            return refusal(Response.VERSION_NOT_SUPPORTED, "SIP version not supported");
        }
        if (nist.getApplicationData() instanceof SipMessageParserFactory.Defect defect) {
            return refusal(defect.status(), defect.reason());
        }
        // RFC 3261 section 18.2.2: the answer goes back over the Via's transport; one we do not listen on, or that
        // differs from the one the request came over, cannot be honoured (and is a spoofed or broken message).
        ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
        MessageChannel channel = (MessageChannel) nist.getMessageChannel();
        String arrivedOver = channel == null ? null : channel.getTransport();
        if (via != null && arrivedOver != null && !arrivedOver.equalsIgnoreCase(via.getTransport())) {
            return refusal(Response.BAD_REQUEST, "Via transport " + via.getTransport() + " is not "
                    + arrivedOver.toUpperCase(Locale.ROOT) + ", which the request came over");
        }
        // RFC 3261 section 8.1.1.5: the CSeq method matches the request's.
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        if (cseq != null && !cseq.getMethod().equals(request.getMethod())) {
            return refusal(Response.BAD_REQUEST, "CSeq method does not match the request method");
        }
        // RFC 3261 section 8.2.2.1.
        String scheme = request.getRequestURI().getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            return refusal(Response.UNSUPPORTED_URI_SCHEME, "Unsupported URI Scheme");
        }
        // RFC 3261 section 8.2.2.3: 420 naming each option we do not support. CANCEL carries no Require (9.1).
        if (!request.getMethod().equals(Request.CANCEL)) {
            List<String> unsupported = new ArrayList<>();
            for (Iterator<?> it = request.getHeaders(RequireHeader.NAME); it.hasNext(); ) {
                String tag = ((RequireHeader) it.next()).getOptionTag();
                if (tag != null && !SUPPORTED.contains(tag.toLowerCase(Locale.ROOT)) && !unsupported.contains(tag)) {
                    unsupported.add(tag);
                }
            }
            if (!unsupported.isEmpty()) {
                List<Header> headers = new ArrayList<>();
                for (String tag : unsupported) {
                    headers.add(sip.headers().createUnsupportedHeader(tag));
                }
                return new Refusal(Response.BAD_EXTENSION, "Bad Extension", headers);
            }
        }
        // RFC 3261 section 8.2.3: an INVITE's body is an SDP offer (RFC 3264) or nothing.
        if (request.getMethod().equals(Request.INVITE) && request.getRawContent() != null
                && request.getRawContent().length > 0) {
            ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
            if (type == null || !"application".equalsIgnoreCase(type.getContentType())
                    || !"sdp".equalsIgnoreCase(type.getContentSubType())) {
                return new Refusal(Response.UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type",
                        List.of(sip.headers().createAcceptHeader("application", "sdp")));
            }
        }
        // RFC 4475 section 3.4.1: an RFC 2543 peer sends no Max-Forwards; RFC 3261 section 8.1.1.6 asks for 70.
        if (request.getHeader(MaxForwardsHeader.NAME) == null) {
            request.setHeader(sip.headers().createMaxForwardsHeader(70));
        }
        return null;
    }

    private static Refusal refusal(int status, String reason) {
        return new Refusal(status, reason, List.of());
    }

    /**
     * A stateless answer, routed by the Via as RFC 3261 section 18.2.2 and RFC 3581 ask; when the Via names a
     * transport the request did not come over, the answer goes back over the one it did.
     */
    private void answer(Request request, Refusal refusal, String arrivedOver) {
        try {
            Response response = sip.messages().createResponse(refusal.status(), request);
            response.setReasonPhrase(refusal.reason());
            refusal.headers().forEach(response::addHeader);
            ViaHeader via = (ViaHeader) response.getHeader(ViaHeader.NAME);
            if (via != null && arrivedOver != null && !arrivedOver.equalsIgnoreCase(via.getTransport())) {
                via.setTransport(arrivedOver);
            }
            sip.provider().sendResponse(response);
        } catch (Exception e) {
            // Nothing to address an answer to (RFC 3261 section 18.2.2): the request is dropped.
            log.debug("No {} could be sent: {}", refusal.status(), e.toString());
        }
    }

    /** The number a URI names: a SIP URI's user part, a tel URI's number (RFC 3966, "+" when global), or null. */
    static String numberOf(URI uri) {
        if (uri instanceof SipURI sipUri) {
            return sipUri.getUser();
        }
        if (uri instanceof TelURL tel) {
            return (tel.isGlobal() ? "+" : "") + tel.getPhoneNumber();
        }
        return null;
    }
}
