package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.HangupCause;
import io.callflow.call.LegHungUp;
import io.callflow.media.MediaControl;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.MediaLeg;
import io.callflow.media.NoCommonCodecException;
import io.callflow.sip.SipCall.AgentLeg;
import javax.sip.ServerTransaction;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The requests a call's dialogs receive besides REFER and NOTIFY ({@link Transfers}): BYE ends a leg, CANCEL an
 * unanswered caller (RFC 3261 section 9.2), INFO carries DTMF, and a re-INVITE puts a leg on hold or back (RFC 3264
 * section 8.4). Runs on the call's lane, like the rest of the B2BUA.
 */
final class InDialogRequests {

    private final SipContext sip;
    private final MediaEndpoints media;
    private final MediaControl mediaControl;
    private final CallEventPublisher events;
    private final B2bua b2bua;

    InDialogRequests(SipContext sip, MediaEndpoints media, MediaControl mediaControl, CallEventPublisher events,
            B2bua b2bua) {
        this.sip = sip;
        this.media = media;
        this.mediaControl = mediaControl;
        this.events = events;
        this.b2bua = b2bua;
    }

    void bye(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        // The leg is over whether or not our 200 reaches the peer (a TCP peer may already have closed the connection).
        b2bua.respondQuietly(transaction, request, Response.OK, null);
        String sipCallId = B2bua.callIdOf(request);
        if (sipCallId.equals(call.sipCallId)) {
            if (!call.ended) {
                call.ended = true;
                media.release(call.callerMedia);
                events.publish(new LegHungUp(call.callId, call.callerLeg, HangupCause.REMOTE_HANGUP, Instant.now()));
            }
        } else {
            for (AgentLeg agent : call.agents.values()) {
                if (agent.winner != null && agent.winner.sipCallId().equals(sipCallId) && !agent.ended) {
                    agent.ended = true;
                    media.release(agent.media);
                    events.publish(new LegHungUp(call.callId, agent.legId, HangupCause.REMOTE_HANGUP, Instant.now()));
                }
            }
        }
        b2bua.forgetIfFinished(call);
    }

    /** RFC 3261 section 9.2: 200 to the CANCEL, 487 to the INVITE it cancels. */
    void cancel(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        sip.respond(transaction, request, Response.OK, null);
        if (!call.answered && !call.ended) {
            call.ended = true;
            Response terminated = sip.messages().createResponse(Response.REQUEST_TERMINATED, call.invite);
            ((ToHeader) terminated.getHeader(ToHeader.NAME)).setTag(call.toTag);
            call.inviteTransaction.sendResponse(terminated);
            media.release(call.callerMedia);
            events.publish(new LegHungUp(call.callId, call.callerLeg, HangupCause.CANCELLED, Instant.now()));
        }
        b2bua.forgetIfFinished(call);
    }

    /** DTMF in SIP INFO: application/dtmf-relay ("Signal=5") or application/dtmf ("5"). */
    void info(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        String body = request.getRawContent() == null ? "" : new String(request.getRawContent(), StandardCharsets.UTF_8);
        ContentTypeHeader type = (ContentTypeHeader) request.getHeader(ContentTypeHeader.NAME);
        String subtype = type == null ? "" : type.getContentSubType().toLowerCase();
        Character digit = null;
        if (subtype.equals("dtmf-relay")) {
            for (String line : body.split("\r?\n")) {
                if (line.trim().toLowerCase().startsWith("signal")) {
                    String value = line.substring(line.indexOf('=') + 1).trim();
                    digit = value.isEmpty() ? null : value.charAt(0);
                }
            }
        } else if (subtype.equals("dtmf") && !body.isBlank()) {
            digit = body.trim().charAt(0);
        }
        if (digit == null || "0123456789*#ABCD".indexOf(Character.toUpperCase(digit)) < 0) {
            sip.respond(transaction, request, subtype.startsWith("dtmf") ? Response.BAD_REQUEST
                    : Response.UNSUPPORTED_MEDIA_TYPE, subtype.startsWith("dtmf") ? "No DTMF signal" : null);
            return;
        }
        sip.respond(transaction, request, Response.OK, null);
        mediaControl.digitReceived(call.callId, call.callerLeg, Character.toUpperCase(digit));
    }

    /** Hold and resume (RFC 3264 section 8.4): the media layer answers the new offer. */
    void reInvite(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        String sipCallId = B2bua.callIdOf(request);
        MediaLeg leg = sipCallId.equals(call.sipCallId) ? call.callerMedia : call.agents.values().stream()
                .filter(a -> a.winner != null && a.winner.sipCallId().equals(sipCallId)).map(a -> a.media)
                .findFirst().orElse(null);
        if (leg == null || request.getRawContent() == null) {
            sip.respond(transaction, request, Response.NOT_ACCEPTABLE_HERE, null);
            return;
        }
        String answer;
        try {
            answer = media.reoffer(leg, new String(request.getRawContent(), StandardCharsets.UTF_8));
        } catch (NoCommonCodecException e) {
            sip.respond(transaction, request, Response.NOT_ACCEPTABLE_HERE, "No common codec");
            return;
        }
        Response ok = sip.messages().createResponse(Response.OK, request);
        ok.addHeader(b2bua.contact(B2bua.transportOf(request)));
        ok.setContent(answer, sip.headers().createContentTypeHeader("application", "sdp"));
        transaction.sendResponse(ok);
    }
}
