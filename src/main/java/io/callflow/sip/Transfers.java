package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.HangupCause;
import io.callflow.call.LegHungUp;
import io.callflow.call.TransferRequested;
import io.callflow.media.MediaEndpoints;
import io.callflow.sip.SipCall.AgentLeg;
import io.callflow.sip.SipCall.Refer;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.ContactHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Blind transfer for the B2BUA (RFC 3515 REFER, RFC 5589): an agent's REFER handed to the flow, the flow's transfer
 * sent to the caller as our REFER, and the NOTIFYs both ways until the transfer is over, when every leg ends. Runs
 * on the call's lane, like all of a call's SIP work.
 */
final class Transfers {

    /** What a transfer needs from the B2BUA that owns the call's legs. */
    interface Legs {

        /** Ends the agent's leg on our side (BYE or CANCEL); never fails, a peer that cannot be told is gone. */
        void endAgent(SipCall call, AgentLeg agent);

        void forgetIfFinished(SipCall call);

        ContactHeader contact() throws Exception;
    }

    private static final Logger log = LoggerFactory.getLogger(Transfers.class);

    private final SipContext sip;
    private final SipProperties properties;
    private final MediaEndpoints media;
    private final CallEventPublisher events;
    private final ScheduledExecutorService timers;
    private final Legs legs;
    /** Attended transfers from phones (REFER with Replaces); set once by the B2BUA after construction. */
    ReplacesTransfers replaces;

    Transfers(SipContext sip, SipProperties properties, MediaEndpoints media, CallEventPublisher events,
            ScheduledExecutorService timers, Legs legs) {
        this.sip = sip;
        this.properties = properties;
        this.media = media;
        this.events = events;
        this.timers = timers;
        this.legs = legs;
    }

    /** Refers the caller to {@code target} (a SIP URI, or a user of Callflow's domain) on the caller's dialog. */
    void start(SipCall call, String target) throws Exception {
        if (!call.answered || call.ended || call.callerDialog == null || call.transferring) {
            log.warn("Call {}: cannot transfer, the caller's leg is not established", call.callId);
            return;
        }
        String uri = target.startsWith("sip:") ? target : "sip:" + target + "@" + properties.domain();
        Request refer = call.callerDialog.createRequest(Request.REFER);
        refer.addHeader(sip.headers().createReferToHeader(sip.addresses().createAddress(uri)));
        refer.addHeader(legs.contact());
        ClientTransaction transaction = sip.provider().getNewClientTransaction(refer);
        Refer pending = new Refer(call);
        transaction.setApplicationData(pending);
        call.transferring = true;
        try {
            call.callerDialog.sendRequest(transaction);
        } catch (Exception e) {
            // The flow has let the call go: a caller our REFER cannot reach is hung up like a refused transfer.
            referFailed(pending, "503 Service Unavailable", "could not be sent (" + e.getMessage() + ")");
            return;
        }
        log.info("Call {}: caller referred to {}", call.callId, uri);
    }

    /**
     * Our REFER got no response (RFC 3261 section 17.1.2.2) or could not be sent: the caller is out of reach, so the
     * transfer is over, the agent who asked hears {@code statusLine} and every leg ends.
     */
    void referFailed(Refer refer, String statusLine, String why) {
        SipCall call = refer.call();
        if (call.ended) {
            return;
        }
        log.warn("Call {}: the transfer's REFER to the caller {}; the call ends", call.callId, why);
        transferEnded(call, statusLine, HangupCause.FAILURE);
    }

    /**
     * REFER from an agent (RFC 3515): 202 Accepted, a first NOTIFY saying the transfer is under way (section 2.4.4
     * requires one at once), and the request handed to the flow; the final NOTIFY follows when the flow's transfer has
     * or has not happened ({@link #referAnswered}).
     */
    void referReceived(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        if (replaces != null && ReplacesTransfers.asksToReplace(request)) {
            replaces.referReceived(call, request, transaction);
            return;
        }
        var referTo = (javax.sip.header.ReferToHeader) request.getHeader(javax.sip.header.ReferToHeader.NAME);
        if (referTo == null) {
            sip.respond(transaction, request, Response.BAD_REQUEST, "Refer-To missing");
            return;
        }
        sip.respond(transaction, request, Response.ACCEPTED, null);
        String sipCallId = B2bua.callIdOf(request);
        AgentLeg agent = call.agents.values().stream().filter(a -> a.winner != null && !a.ended
                && a.winner.sipCallId().equals(sipCallId)).findFirst().orElse(null);
        if (agent != null) {
            call.transferor = agent;
            notifyTransferor(call, "100 Trying", false);
        }
        events.publish(new TransferRequested(call.callId, agent == null ? call.callerLeg : agent.legId,
                referTo.getAddress().getURI().toString(), Instant.now()));
    }

    /** Tells the agent who asked for the transfer how it went: a NOTIFY with a message/sipfrag status line. */
    void notifyTransferor(SipCall call, String statusLine, boolean done) {
        AgentLeg agent = call.transferor;
        if (agent == null || agent.dialog == null || agent.ended) {
            return;
        }
        try {
            Request notify = agent.dialog.createRequest(Request.NOTIFY);
            notify.addHeader(sip.headers().createEventHeader("refer"));
            notify.addHeader(sip.headers().createSubscriptionStateHeader(done
                    ? "terminated;reason=noresource" : "active;expires=60"));
            notify.setContent("SIP/2.0 " + statusLine + "\r\n",
                    sip.headers().createContentTypeHeader("message", "sipfrag;version=2.0"));
            agent.dialog.sendRequest(sip.provider().getNewClientTransaction(notify));
        } catch (Exception e) {
            // A request that cannot be sent on the agent's dialog: that leg is gone (RFC 3261 section 17.1.4).
            log.warn("Call {}: NOTIFY to agent {} not sent: {}; the agent's leg ends", call.callId, agent.user,
                    e.toString());
            legs.endAgent(call, agent);
            events.publish(new LegHungUp(call.callId, agent.legId, HangupCause.FAILURE, Instant.now()));
        }
    }

    /**
     * The caller answered our REFER. Accepted: the agent hears it worked and its leg ends (the transfer ends Callflow's
     * part of the call); the caller's leg ends with its final NOTIFY or, at the latest, after 64*T1. Refused: the agent
     * hears why and every leg ends, because the flow has already moved on.
     */
    void referAnswered(Refer refer, ResponseEvent event) {
        SipCall call = refer.call();
        int status = event.getResponse().getStatusCode();
        if (status < 200 || call.ended) {
            return;
        }
        if (status < 300) {
            log.info("Call {}: the caller accepted the transfer", call.callId);
            timers.schedule(() -> events.onLane(call.callId, () -> transferEnded(call, "408 Request Timeout",
                    HangupCause.LOCAL_HANGUP)), B2bua.TRANSACTION_LIFETIME.toMillis(), TimeUnit.MILLISECONDS);
        } else {
            log.info("Call {}: the caller refused the transfer ({})", call.callId, status);
            transferEnded(call, status + " " + event.getResponse().getReasonPhrase(), HangupCause.LOCAL_HANGUP);
        }
    }

    /**
     * The transfer is over, whichever way: the agent who asked hears the outcome in a final NOTIFY, and every leg
     * ends (RFC 5589 section 6: the transferor ends its dialogs), because the flow has already let the call go.
     */
    private void transferEnded(SipCall call, String outcome, HangupCause callerCause) {
        notifyTransferor(call, outcome, true);
        call.agents.values().forEach(agent -> legs.endAgent(call, agent));
        if (!call.ended) {
            call.ended = true;
            try {
                call.callerDialog.sendRequest(sip.provider().getNewClientTransaction(
                        call.callerDialog.createRequest(Request.BYE)));
            } catch (Exception e) {
                log.warn("Call {}: BYE to the transferred caller not sent: {}", call.callId, e.toString());
            }
            media.release(call.callerMedia);
            events.publish(new LegHungUp(call.callId, call.callerLeg, callerCause, Instant.now()));
        }
        legs.forgetIfFinished(call);
    }

    /** NOTIFY from the caller we referred (RFC 3515 section 2.4.5): once it reports a final status, we hang up. */
    void notifyReceived(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        sip.respond(transaction, request, Response.OK, null);
        String body = request.getRawContent() == null ? ""
                : new String(request.getRawContent(), StandardCharsets.UTF_8);
        String firstLine = body.trim().split("\r?\n")[0];
        String[] statusLine = firstLine.split(" ", 3);
        int status = statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : 0;
        if (call.transferring && status >= 200) {
            log.info("Call {}: transfer of the caller ended with {}", call.callId, status);
            transferEnded(call, firstLine.substring(firstLine.indexOf(' ') + 1), HangupCause.LOCAL_HANGUP);
        }
    }
}
