package io.callflow.sip;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.HangupCause;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.ReplacesTransferRequested;
import io.callflow.media.MediaEndpoints;
import io.callflow.sip.SipCall.AgentLeg;
import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.address.URI;
import javax.sip.header.FromHeader;
import javax.sip.header.ReferToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Attended transfer completed from an agent's phone: a REFER on the caller's call whose Refer-To carries Replaces
 * (RFC 3515, RFC 3891, RFC 5589 section 7) naming the dialog of the call the same phone placed to consult. Callflow is
 * a B2BUA and both dialogs end on it, so it forwards nothing: it checks the REFER (400 bad Replaces, 481 no such
 * dialog, 403 not this phone's or not answered), accepts it (202, NOTIFY 100), lets the flow decide
 * ({@link ReplacesTransferRequested}), and then moves the consulted party's leg into the caller's call, ends the
 * agent's two legs (NOTIFY 200 then BYE on the caller's call, BYE on the consultation) or tells the phone why not.
 */
final class ReplacesTransfers {

    /** What a phone's transfer needs from the B2BUA: its calls by SIP Call-ID and by id. */
    interface Dialogs {

        SipCall bySipCallId(String sipCallId);

        SipCall call(CallId callId);

        /** Routes in-dialog requests of {@code sipCallId} to {@code call} from now on. */
        void track(String sipCallId, SipCall call);

        void endAgent(SipCall call, AgentLeg agent);

        void forgetIfFinished(SipCall call);

        void sendBye(SipCall call, javax.sip.Dialog dialog);
    }

    /** A Replaces header (RFC 3891 section 6.1): the dialog's Call-ID and its two tags. */
    record Replaces(String callId, String toTag, String fromTag) {
    }

    private static final Logger log = LoggerFactory.getLogger(ReplacesTransfers.class);

    private final SipContext sip;
    private final MediaEndpoints media;
    private final CallEventPublisher events;
    private final Transfers transfers;
    private final Dialogs dialogs;
    /** Calls with a phone's transfer accepted and not yet completed or refused: one at a time per call. */
    private final Map<CallId, Boolean> pending = new ConcurrentHashMap<>();

    ReplacesTransfers(SipContext sip, MediaEndpoints media, CallEventPublisher events, Transfers transfers,
            Dialogs dialogs) {
        this.sip = sip;
        this.media = media;
        this.events = events;
        this.transfers = transfers;
        this.dialogs = dialogs;
    }

    /** Whether the REFER's Refer-To asks to replace a dialog (then it is this class's, not a blind transfer). */
    static boolean asksToReplace(Request refer) {
        return refer.getHeader(ReferToHeader.NAME) instanceof ReferToHeader referTo
                && rawReplaces(referTo.getAddress().getURI()) != null;
    }

    /** Checks and accepts the REFER on the call's lane; see the class comment for the answers. */
    void referReceived(SipCall call, Request request, ServerTransaction transaction) throws Exception {
        URI target = ((ReferToHeader) request.getHeader(ReferToHeader.NAME)).getAddress().getURI();
        Optional<Replaces> replaces = parse(rawReplaces(target));
        if (replaces.isEmpty()) {
            sip.respond(transaction, request, Response.BAD_REQUEST, "Bad Replaces in Refer-To");
            return;
        }
        String sipCallId = B2bua.callIdOf(request);
        AgentLeg transferor = call.agents.values().stream().filter(a -> a.winner != null && !a.ended
                && a.winner.sipCallId().equals(sipCallId)).findFirst().orElse(null);
        if (transferor == null) {
            sip.respond(transaction, request, Response.FORBIDDEN, "Only the agent's phone may transfer");
            return;
        }
        if (call.ended || call.transferring || pending.containsKey(call.callId)) {
            sip.respond(transaction, request, Response.FORBIDDEN, "A transfer is already in progress");
            return;
        }
        Replaces dialog = replaces.get();
        SipCall consult = dialogs.bySipCallId(dialog.callId());
        if (consult == null || consult == call || !consult.sipCallId.equals(dialog.callId())
                || !tagsMatch(consult, dialog)) {
            sip.respond(transaction, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST,
                    "Replaced dialog not found");
            return;
        }
        if (!transferor.user.equals(userOf(consult.invite))) {
            sip.respond(transaction, request, Response.FORBIDDEN, "Replaced dialog is not this phone's");
            return;
        }
        AgentLeg consulted = consult.ended || !consult.answered ? null : consult.agents.values().stream()
                .filter(a -> a.answered && !a.ended).findFirst().orElse(null);
        if (consulted == null) {
            sip.respond(transaction, request, Response.FORBIDDEN, "The consulted party has not answered");
            return;
        }
        sip.respond(transaction, request, Response.ACCEPTED, null);
        pending.put(call.callId, Boolean.TRUE);
        call.transferor = transferor;
        transfers.notifyTransferor(call, "100 Trying", false);
        log.info("Call {}: agent {} transfers the caller to {} (consultation call {})", call.callId, transferor.user,
                consulted.user, consult.callId);
        events.publish(new ReplacesTransferRequested(call.callId, transferor.legId, consult.callId, consulted.legId,
                transferor.user, consulted.user, Instant.now()));
    }

    /**
     * Moves the consulted leg into the caller's call: first on the consultation's lane (the leg leaves it, its SIP
     * Call-ID now routes to the caller's call, the phone's consultation leg gets BYE), then on the caller's lane (the
     * leg joins, the agent hears NOTIFY 200 and BYE). A caller gone meanwhile leaves the consultation as it was.
     */
    void complete(CallId callId, LegId transferorLeg, CallId consultCallId, LegId targetLeg) {
        events.onLane(consultCallId, () -> {
            SipCall consult = dialogs.call(consultCallId);
            SipCall call = dialogs.call(callId);
            AgentLeg leg = consult == null ? null : consult.agents.get(targetLeg);
            if (leg == null || leg.ended || call == null || call.ended) {
                log.warn("Call {}: the phone's transfer cannot complete, a leg has ended", callId);
                events.onLane(callId, () -> refuse(callId, "487 Request Terminated"));
                return;
            }
            consult.agents.remove(targetLeg);
            dialogs.track(leg.winner.sipCallId(), call);
            endConsultCaller(consult);
            events.onLane(callId, () -> adopt(callId, transferorLeg, leg));
        });
    }

    private void endConsultCaller(SipCall consult) {
        if (!consult.ended) {
            consult.ended = true;
            if (consult.callerDialog != null) {
                dialogs.sendBye(consult, consult.callerDialog);
            }
            media.release(consult.callerMedia);
            events.publish(new LegHungUp(consult.callId, consult.callerLeg, HangupCause.LOCAL_HANGUP, Instant.now()));
        }
        consult.agents.values().forEach(agent -> dialogs.endAgent(consult, agent));
        dialogs.forgetIfFinished(consult);
    }

    private void adopt(CallId callId, LegId transferorLeg, AgentLeg leg) {
        SipCall call = dialogs.call(callId);
        pending.remove(callId);
        if (call == null || call.ended) {
            // The caller went in between: the consulted party's leg has nobody to talk to.
            log.info("Call {}: the caller hung up while the phone's transfer completed; the target's leg ends", callId);
            AgentLeg orphan = leg;
            SipCall owner = dialogs.bySipCallId(orphan.winner.sipCallId());
            if (owner != null) {
                dialogs.endAgent(owner, orphan);
            }
            return;
        }
        call.agents.put(leg.legId, leg);
        transfers.notifyTransferor(call, "200 OK", true);
        call.transferor = null;
        AgentLeg transferor = call.agents.get(transferorLeg);
        if (transferor != null) {
            dialogs.endAgent(call, transferor);
        }
        log.info("Call {}: the phone's transfer to {} completed", callId, leg.user);
    }

    /** Tells the phone the transfer did not happen (final NOTIFY); the caller stays with the agent. */
    void refuse(CallId callId, String statusLine) {
        SipCall call = dialogs.call(callId);
        pending.remove(callId);
        if (call == null) {
            return;
        }
        log.info("Call {}: the phone's transfer was refused: {}", callId, statusLine);
        transfers.notifyTransferor(call, statusLine, true);
        call.transferor = null;
    }

    private static boolean tagsMatch(SipCall consult, Replaces dialog) {
        String phoneTag = ((FromHeader) consult.invite.getHeader(FromHeader.NAME)).getTag();
        // RFC 3891 section 3: to-tag is the tag of the side that receives the INVITE with Replaces, here Callflow;
        // some phones write the tags as they see them, so either order names the same dialog.
        return (consult.toTag.equals(dialog.toTag()) && phoneTag != null && phoneTag.equals(dialog.fromTag()))
                || (consult.toTag.equals(dialog.fromTag()) && phoneTag != null && phoneTag.equals(dialog.toTag()));
    }

    private static String userOf(Request invite) {
        return invite != null && ((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI()
                instanceof SipURI uri ? uri.getUser() : null;
    }

    /** The Replaces header field of a Refer-To URI (RFC 3261 section 19.1.1 URI headers), still escaped. */
    static String rawReplaces(URI uri) {
        String text = uri.toString();
        int query = text.indexOf('?');
        if (query < 0) {
            return null;
        }
        for (String header : text.substring(query + 1).split("&")) {
            int equals = header.indexOf('=');
            if (equals > 0 && header.substring(0, equals).trim().equalsIgnoreCase("Replaces")) {
                return header.substring(equals + 1);
            }
        }
        return null;
    }

    /** Parses an escaped Replaces value: {@code callid;to-tag=..;from-tag=..[;early-only]}; empty when malformed. */
    static Optional<Replaces> parse(String escaped) {
        if (escaped == null) {
            return Optional.empty();
        }
        String value = unescape(escaped);
        if (value == null) {
            return Optional.empty();
        }
        String[] parts = value.split(";");
        String callId = parts[0].trim();
        String toTag = null;
        String fromTag = null;
        for (int i = 1; i < parts.length; i++) {
            String[] param = parts[i].split("=", 2);
            String name = param[0].trim().toLowerCase();
            if (name.equals("to-tag") && param.length == 2) {
                toTag = param[1].trim();
            } else if (name.equals("from-tag") && param.length == 2) {
                fromTag = param[1].trim();
            }
        }
        if (callId.isEmpty() || toTag == null || toTag.isEmpty() || fromTag == null || fromTag.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Replaces(callId, toTag, fromTag));
    }

    /** %XX escapes undone (RFC 3986 section 2.1; a '+' stays a '+'); null when an escape is broken. */
    private static String unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '%') {
                out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
                continue;
            }
            if (i + 2 >= text.length()) {
                return null;
            }
            int high = Character.digit(text.charAt(i + 1), 16);
            int low = Character.digit(text.charAt(i + 2), 16);
            if (high < 0 || low < 0) {
                return null;
            }
            out.write(high * 16 + low);
            i += 2;
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
