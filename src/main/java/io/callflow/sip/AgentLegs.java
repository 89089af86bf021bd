package io.callflow.sip;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.call.AgentLegFailed;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegId;
import io.callflow.call.LegRinging;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.SrtpPolicy;
import io.callflow.sip.SipCall.AgentLeg;
import io.callflow.sip.SipCall.Fork;
import io.micrometer.core.instrument.Timer;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.ResponseEvent;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The legs the B2BUA places: towards agents' phones (one fork per registered contact, the first to answer wins),
 * through outbound trunks, and an outbound call's first leg. It sends the INVITEs, follows their responses (ringing,
 * answer with ACK and the other forks cancelled, failure with the most telling outcome), times the ring out, and ends
 * a leg with CANCEL or BYE. Runs on the call's lane like the rest of the B2BUA; the call's dialogs stay there.
 */
final class AgentLegs {

    private static final Logger log = LoggerFactory.getLogger(AgentLegs.class);

    /** What the legs need from the B2BUA that owns the calls. */
    interface Owner {
        /** Our Contact for a dialog over {@code transport}. */
        ContactHeader contact(String transport) throws Exception;

        /** Sends BYE on a dialog, logging rather than failing when it cannot be sent. */
        void sendBye(SipCall call, Dialog dialog);

        /** Drops the call's state once its last leg has ended. */
        void forgetIfFinished(SipCall call);
    }

    private final SipContext sip;
    private final SipProperties properties;
    private final MediaEndpoints media;
    private final CallEventPublisher events;
    private final ScheduledExecutorService timers;
    /** SIP Call-ID to the call: the B2BUA's table, which each fork's Call-ID joins while it lives. */
    private final Map<String, SipCall> bySipCallId;
    /** INVITE received from the trunk to the first INVITE sent to an agent: the routing time callers feel. */
    private final Timer setup;
    private final Owner owner;

    AgentLegs(SipContext sip, SipProperties properties, MediaEndpoints media, CallEventPublisher events,
            ScheduledExecutorService timers, Map<String, SipCall> bySipCallId, Timer setup, Owner owner) {
        this.sip = sip;
        this.properties = properties;
        this.media = media;
        this.events = events;
        this.timers = timers;
        this.bySipCallId = bySipCallId;
        this.setup = setup;
        this.owner = owner;
    }

    /**
     * Rings a new leg at each of {@code contacts} (forks; the first to answer wins). {@code callerPart}: the leg plays
     * the caller's part for the media (an outbound call's first leg); {@code fromUser}: who the leg's From names.
     */
    void dial(SipCall call, AgentLeg agent, List<Binding> contacts, SrtpPolicy srtp,
            Duration ringTimeout, boolean callerPart, String fromUser) {
        CallId callId = call.callId;
        LegId legId = agent.legId;
        String agentAddress = agent.user;
        call.agents.put(legId, agent);
        if (call.ended || contacts.isEmpty()) {
            agent.ended = true;
            events.publish(new AgentLegFailed(callId, legId, agentAddress, AgentLegOutcome.UNAVAILABLE,
                    Instant.now()));
            return;
        }
        try {
            agent.media = callerPart ? media.offerAsCaller(callId, legId, srtp) : media.offer(callId, legId, srtp);
        } catch (Exception e) {
            // No RTP port (pool exhausted or taken by another program): the flow must hear it, not wait forever.
            log.error("Call {}: no media for agent {}'s leg: {}", callId, agentAddress, e.toString());
            legFailed(call, agent, AgentLegOutcome.FAILED);
            return;
        }
        for (Binding contact : contacts) {
            try {
                Request invite = agentInvite(call, agent, contact, fromUser);
                ClientTransaction transaction = sip.provider().getNewClientTransaction(invite);
                var fork = new Fork(call, agent, transaction, B2bua.callIdOf(invite));
                transaction.setApplicationData(fork);
                transaction.sendRequest();
                // Responses are handled on this lane after this task, so registering after the send is in time.
                agent.forks.add(fork);
                bySipCallId.put(fork.sipCallId(), call);
            } catch (Exception e) {
                log.warn("Call {}: INVITE to {}'s contact {} not sent: {}", callId, agentAddress,
                        contact.contact(), e.toString());
            }
        }
        if (agent.forks.isEmpty()) {
            legFailed(call, agent, AgentLegOutcome.UNAVAILABLE);
            return;
        }
        if (!call.setupMeasured) {
            call.setupMeasured = true;
            setup.record(System.nanoTime() - call.arrivedNanos, TimeUnit.NANOSECONDS);
        }
        agent.ringTimer = timers.schedule(() -> events.onLane(callId, () -> ringTimedOut(agent, call)),
                ringTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private Request agentInvite(SipCall call, AgentLeg agent, Binding contact, String fromUser) throws Exception {
        var addresses = sip.addresses();
        var headers = sip.headers();
        SipURI requestUri = (SipURI) addresses.createURI(contact.contact());
        Address from = addresses.createAddress("sip:" + fromUser + "@" + properties.domain());
        Address to = addresses.createAddress("sip:" + agent.user + "@" + properties.domain());
        String transport = contact.transport() == null ? "udp" : contact.transport();
        List<ViaHeader> via = List.of(headers.createViaHeader(sip.advertisedAddress(), sip.port(transport), transport,
                null));
        Request invite = sip.messages().createRequest(requestUri, Request.INVITE, sip.provider().getNewCallId(),
                headers.createCSeqHeader(1L, Request.INVITE),
                headers.createFromHeader(from, UUID.randomUUID().toString().substring(0, 8)),
                headers.createToHeader(to, null), via, headers.createMaxForwardsHeader(70),
                headers.createContentTypeHeader("application", "sdp"), agent.media.localSdp());
        invite.addHeader(owner.contact(transport));
        if (agent.trunkRoute != null) {
            agent.trunkRoute.decorate(invite, sip);
        }
        // RFC 3581: reach the phone where its REGISTER came from, which behind NAT is not its Contact.
        boolean behindNat = !(contact.sourceHost().equals(requestUri.getHost())
                && contact.sourcePort() == (requestUri.getPort() < 0 ? 5060 : requestUri.getPort()));
        if (behindNat) {
            SipURI route = addresses.createSipURI(null, contact.sourceHost());
            route.setPort(contact.sourcePort());
            route.setTransportParam(transport);
            route.setLrParam();
            invite.addHeader(headers.createRouteHeader(addresses.createAddress(route)));
        }
        return invite;
    }

    /** A response to one of a leg's INVITEs (on the call's lane). */
    void response(Fork fork, ResponseEvent event) {
        Response response = event.getResponse();
        int status = response.getStatusCode();
        AgentLeg agent = fork.leg();
        SipCall call = fork.call();
        try {
            if (status < 200) {
                // Provisional responses are reported once per leg (RFC 3261 section 13.2.2.1: 100 is hop-by-hop).
                if (status > Response.TRYING && !agent.ringing && !agent.ended && !agent.answered) {
                    agent.ringing = true;
                    events.publish(new LegRinging(call.callId, agent.legId, agent.user, status, Instant.now()));
                }
                return;
            }
            if (status < 300) {
                Dialog dialog = event.getDialog();
                long cseq = ((CSeqHeader) response.getHeader(CSeqHeader.NAME)).getSeqNumber();
                try {
                    dialog.sendAck(dialog.createAck(cseq));
                } catch (Exception e) {
                    // A phone our ACK cannot reach has no session with us (RFC 3261 section 13.2.2.4).
                    log.warn("Call {}: ACK to agent {} not sent: {}", call.callId, agent.user, e.toString());
                    forkFailed(fork, AgentLegOutcome.FAILED);
                    return;
                }
                if (agent.answered || agent.ended) {
                    // A second phone answered too late, or the answer crossed our CANCEL: hang that one up.
                    owner.sendBye(call, dialog);
                    return;
                }
                agent.answered = true;
                agent.winner = fork;
                agent.dialog = dialog;
                cancelTimer(agent);
                for (Fork other : agent.forks) {
                    if (other != fork) {
                        cancelFork(other);
                    }
                }
                if (response.getRawContent() != null) {
                    media.answered(agent.media, new String(response.getRawContent(), StandardCharsets.UTF_8));
                }
                log.info("Call {}: agent {} answered", call.callId, agent.user);
                events.publish(new LegAnswered(call.callId, agent.legId, agent.user, Instant.now()));
                return;
            }
            forkFailed(fork, switch (status) {
                case Response.BUSY_HERE, Response.BUSY_EVERYWHERE -> AgentLegOutcome.BUSY;
                case Response.DECLINE -> AgentLegOutcome.DECLINED;
                case Response.TEMPORARILY_UNAVAILABLE, Response.NOT_FOUND -> AgentLegOutcome.UNAVAILABLE;
                case Response.REQUEST_TIMEOUT -> AgentLegOutcome.NO_RESPONSE;
                case Response.REQUEST_TERMINATED -> AgentLegOutcome.RING_TIMEOUT;
                default -> AgentLegOutcome.FAILED;
            });
        } catch (Exception e) {
            log.error("Call {}: handling {} from agent {} failed: {}", call.callId, status, agent.user, e.toString(),
                    e);
        }
    }

    /** One fork failed; when every fork has, the leg has failed with the most telling outcome. */
    void forkFailed(Fork fork, AgentLegOutcome outcome) {
        AgentLeg agent = fork.leg();
        bySipCallId.remove(fork.sipCallId());
        if (agent.answered || agent.ended) {
            return;
        }
        if (agent.outcome == null || outcome.ordinal() < agent.outcome.ordinal()) {
            agent.outcome = outcome;
        }
        boolean allFailed = agent.forks.stream().allMatch(f -> !bySipCallId.containsKey(f.sipCallId()));
        if (allFailed) {
            agent.ended = true;
            cancelTimer(agent);
            media.release(agent.media);
            SipCall call = fork.call();
            log.info("Call {}: agent {} did not answer ({})", call.callId, agent.user, agent.outcome);
            events.publish(new AgentLegFailed(call.callId, agent.legId, agent.user, agent.outcome, Instant.now()));
            owner.forgetIfFinished(call);
        }
    }

    private void legFailed(SipCall call, AgentLeg agent, AgentLegOutcome outcome) {
        agent.ended = true;
        cancelTimer(agent);
        if (agent.media != null) {
            media.release(agent.media);
        }
        events.publish(new AgentLegFailed(call.callId, agent.legId, agent.user, outcome, Instant.now()));
        owner.forgetIfFinished(call);
    }

    private void ringTimedOut(AgentLeg agent, SipCall call) {
        if (agent.answered || agent.ended) {
            return;
        }
        agent.ended = true;
        agent.forks.forEach(this::cancelFork);
        media.release(agent.media);
        log.info("Call {}: agent {} rang out", call.callId, agent.user);
        events.publish(new AgentLegFailed(call.callId, agent.legId, agent.user, AgentLegOutcome.RING_TIMEOUT,
                Instant.now()));
        owner.forgetIfFinished(call);
    }

    /** Ends an agent's leg on our side: BYE or CANCEL, and its media and SIP Call-ID released even if those fail. */
    void end(SipCall call, AgentLeg agent) {
        if (agent.ended) {
            return;
        }
        agent.ended = true;
        cancelTimer(agent);
        if (agent.answered && agent.dialog != null) {
            owner.sendBye(call, agent.dialog);
            bySipCallId.remove(agent.winner.sipCallId());
        } else {
            agent.forks.forEach(this::cancelFork);
        }
        if (agent.media != null) {
            media.release(agent.media);
        }
    }

    private void cancelFork(Fork fork) {
        try {
            var state = fork.transaction().getState();
            if (state == javax.sip.TransactionState.PROCEEDING || state == javax.sip.TransactionState.CALLING) {
                sip.provider().getNewClientTransaction(fork.transaction().createCancel()).sendRequest();
            }
        } catch (Exception e) {
            log.debug("CANCEL of fork {} not sent: {}", fork.sipCallId(), e.toString());
        }
        bySipCallId.remove(fork.sipCallId());
    }

    private static void cancelTimer(AgentLeg agent) {
        if (agent.ringTimer != null) {
            agent.ringTimer.cancel(false);
        }
    }
}
