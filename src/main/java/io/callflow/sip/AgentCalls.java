package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.time.Instant;

import gov.nist.javax.sip.message.SIPRequest;
import io.callflow.call.AgentCallPlaced;
import io.callflow.call.AgentDialPlan;
import io.callflow.call.AgentRoute;
import io.callflow.call.CallEventPublisher;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.NoCommonCodecException;
import io.callflow.media.SrtpPolicy;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Calls agents place from their own phones: an INVITE from outside the trunks' ranges is authenticated with the
 * agent's digest credentials (407, RFC 3261 section 22.3; wrong ones 403, with the registrar's guard against
 * guessing), routed by the agent dial plan (unknown number 404, not permitted 403, each with its reason phrase), and
 * admitted with the phone as the call's caller leg; {@link AgentCallPlaced} then tells the flow module where it goes.
 */
final class AgentCalls {

    private static final Logger log = LoggerFactory.getLogger(AgentCalls.class);

    /** Our Contact for a dialog over a transport (the B2BUA's). */
    interface Contacts {
        ContactHeader contact(String transport) throws Exception;
    }

    private final SipContext sip;
    private final DigestGate gate;
    private final Registrar registrar;
    private final AgentDialPlan dialPlan;
    private final MediaEndpoints media;
    private final SipAgentProperties agents;
    private final CallEventPublisher events;
    private final AuthGuard authGuard;

    AgentCalls(SipContext sip, DigestGate gate, Registrar registrar, AgentDialPlan dialPlan, MediaEndpoints media,
            SipAgentProperties agents, CallEventPublisher events, AuthGuard authGuard) {
        this.sip = sip;
        this.gate = gate;
        this.registrar = registrar;
        this.dialPlan = dialPlan;
        this.media = media;
        this.agents = agents;
        this.events = events;
        this.authGuard = authGuard;
    }

    /**
     * Admits an INVITE that came from no trunk, or answers it (challenge, 403, 404, 488, 503); runs on the call's
     * lane. {@code track} makes the call one of the B2BUA's before anything about it is published.
     */
    boolean admit(SipCall call, Runnable track, Contacts contacts) throws Exception {
        Request invite = call.invite;
        var source = DigestGate.sourceAddress((SIPRequest) invite);
        String user = invite.getHeader(FromHeader.NAME) instanceof FromHeader from
                && from.getAddress().getURI() instanceof SipURI uri ? uri.getUser() : null;
        if (user == null || !authGuard.admits(source)) {
            log.warn("INVITE from {} refused: not a configured trunk, and no agent", source.getHostAddress());
            sip.respond(call.inviteTransaction, invite, Response.FORBIDDEN, user == null ? "Not a trunk"
                    : "Wrong credentials");
            return false;
        }
        if (!gate.admit(invite, call.inviteTransaction, user, true, (u, address) -> registrar.contacts(u).stream()
                .anyMatch(binding -> binding.sourceHost().equals(address.getHostAddress())))) {
            return false;
        }
        String dialled = SipRequestChecks.numberOf(invite.getRequestURI());
        AgentRoute route = dialPlan.route(user, dialled);
        if (route instanceof AgentRoute.Refused refused) {
            log.info("Agent {} dialled {}: {} {}", user, dialled, refused.status(), refused.reason());
            sip.respond(call.inviteTransaction, invite, refused.status(), refused.reason());
            return false;
        }
        if (invite.getRawContent() == null) {
            sip.respond(call.inviteTransaction, invite, Response.NOT_ACCEPTABLE_HERE, "SDP offer required");
            return false;
        }
        String transport = ((ViaHeader) invite.getHeader(ViaHeader.NAME)).getTransport();
        try {
            call.callerMedia = media.answer(call.callId, call.callerLeg, new String(invite.getRawContent(),
                    StandardCharsets.UTF_8), srtp(transport));
        } catch (NoCommonCodecException e) {
            sip.respond(call.inviteTransaction, invite, Response.NOT_ACCEPTABLE_HERE, "No common codec");
            return false;
        } catch (Exception e) {
            log.warn("Call {}: 503, no media: {}", call.callId, e.getMessage());
            sip.respond(call.inviteTransaction, invite, Response.SERVICE_UNAVAILABLE, "No media resources");
            return false;
        }
        track.run();
        Response ringing = sip.messages().createResponse(Response.RINGING, invite);
        ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag(call.toTag);
        ringing.addHeader(contacts.contact(transport));
        call.inviteTransaction.sendResponse(ringing);
        call.callerDialog = call.inviteTransaction.getDialog();
        log.info("Call {}: agent {} dialled {} -> {}", call.callId, user, dialled, route);
        events.publish(new AgentCallPlaced(call.callId, call.callerLeg, user, dialled, route, Instant.now()));
        return true;
    }

    /** SDES keys only over TLS (RFC 4568 section 8.3): elsewhere plain RTP, unless agents must use SRTP. */
    private SrtpPolicy srtp(String transport) {
        if (MediaSecurity.isTls(transport) || agents.srtp() == SrtpPolicy.REQUIRED) {
            return agents.srtp();
        }
        return SrtpPolicy.OFF;
    }
}
