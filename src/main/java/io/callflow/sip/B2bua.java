package io.callflow.sip;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import gov.nist.javax.sip.message.SIPRequest;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.DialPlan;
import io.callflow.call.HangupCause;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import io.callflow.media.MediaControl;
import io.callflow.media.MediaEndpoints;
import io.callflow.media.NoCommonCodecException;
import io.callflow.media.SrtpPolicy;
import io.callflow.sip.SipCall.AgentLeg;
import io.callflow.sip.SipCall.Fork;
import io.callflow.sip.SipCall.Refer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.Transaction;
import javax.sip.address.SipURI;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;

/**
 * The back-to-back user agent: the caller's leg from a trunk and legs towards agents' phones, driven by the flow
 * through {@link SipCallControl}. Every call's SIP work runs on the call's lane, in order; the SIP stack's threads only
 * hand over. Media comes from the media module: every SDP sent is its answer or offer.
 */
final class B2bua implements Transfers.Legs {

    private static final Logger log = LoggerFactory.getLogger(B2bua.class);
    private final PeerProblemLog problems = new PeerProblemLog(log);

    private final SipContext sip;
    private final SipProperties properties;
    private final Registrar registrar;
    private final DialPlan dialPlan;
    private final MediaEndpoints media;
    private final MediaControl mediaControl;
    private final CallEventPublisher events;
    private final ScheduledExecutorService timers;
    /** 64*T1, RFC 3261's transaction lifetime: how long a transferred caller may take to report the outcome, and
     *  how long a late copy of an INVITE may still turn up. */
    static final Duration TRANSACTION_LIFETIME = Duration.ofSeconds(32);
    private final TrunkTable trunks;
    private final Map<CallId, SipCall> calls = new ConcurrentHashMap<>();
    /** SIP Call-ID (caller's, and each fork's) to the call. */
    private final Map<String, SipCall> bySipCallId = new ConcurrentHashMap<>();
    /**
     * Callers' Call-IDs of calls that ended in the last 64*T1. A copy of the INVITE that the stack delivers after the
     * call has ended (its transaction is gone by then; seen under load, a stray call answered to nobody that never
     * ends) is dropped instead of starting a second call.
     */
    private final Map<String, Boolean> recentlyEnded = new ConcurrentHashMap<>();
    /** INVITE received to CallArrived published: the SIP layer's own share of the setup time. */
    private final Timer admission;
    private final AdmissionControl admissionControl;
    private final Transfers transfers;
    /** The legs this B2BUA places (agents, trunks) and their forks. */
    private final AgentLegs legs;
    /** BYE, CANCEL, INFO and re-INVITE within a call's dialogs. */
    private final InDialogRequests inDialog;
    private final ReplacesTransfers replaces;
    private final MediaSecurity security;
    /** Where outbound calls go ({@code callflow.sip.outbound-trunk}), or null when none is configured. */
    private final OutboundTrunk outboundTrunk;
    /** Every outbound trunk, for calls agents place and {@link #dialTrunk}. */
    private final OutboundTrunks outboundTrunks;
    /** INVITEs from agents' phones (from no trunk): authenticated and routed by the agent dial plan. */
    private final AgentCalls agentCalls;

    B2bua(SipContext sip, SipProperties properties, Registrar registrar, DialPlan dialPlan, MediaEndpoints media,
            MediaControl mediaControl, CallEventPublisher events, ScheduledExecutorService timers,
            MeterRegistry meters, MediaSecurity security, OutboundTrunks outboundTrunks, AgentCalls agentCalls) {
        this.outboundTrunk = outboundTrunks.defaultAddress();
        this.outboundTrunks = outboundTrunks;
        this.agentCalls = agentCalls;
        this.sip = sip;
        this.security = security;
        this.properties = properties;
        this.registrar = registrar;
        this.dialPlan = dialPlan;
        this.media = media;
        this.mediaControl = mediaControl;
        this.events = events;
        this.timers = timers;
        this.admission = Timer.builder("callflow.sip.admission")
                .description("INVITE from the trunk to the call handed to its flow (trunk, number, SDP, 180)")
                .publishPercentileHistogram().register(meters);
        // INVITE received from the trunk to the first INVITE sent to an agent: the routing time callers feel.
        Timer setup = Timer.builder("callflow.call.setup")
                .description("INVITE from the trunk to the first INVITE sent to an agent")
                .publishPercentileHistogram().register(meters);
        this.admissionControl = new AdmissionControl(properties.overload(), meters);
        this.legs = new AgentLegs(sip, properties, media, events, timers, bySipCallId, setup, new AgentLegs.Owner() {
            @Override
            public ContactHeader contact(String transport) throws Exception {
                return B2bua.this.contact(transport);
            }

            @Override
            public void sendBye(SipCall call, Dialog dialog) {
                sendByeQuietly(call, dialog);
            }

            @Override
            public void forgetIfFinished(SipCall call) {
                B2bua.this.forgetIfFinished(call);
            }
        });
        this.inDialog = new InDialogRequests(sip, media, mediaControl, events, this);
        this.transfers = new Transfers(sip, properties, media, events, timers, this);
        this.replaces = new ReplacesTransfers(sip, media, events, transfers, new ReplacesDialogs());
        this.transfers.replaces = replaces;
        meters.gauge("callflow.calls.active", calls, Map::size);
        this.trunks = new TrunkTable(properties.effectiveTrunks());
    }

    int activeCalls() {
        return calls.size();
    }

    /** The calls admitted and not yet finished, for the drain at shutdown. */
    List<CallId> liveCallIds() {
        return List.copyOf(calls.keySet());
    }

    boolean isLive(CallId callId) {
        return calls.containsKey(callId);
    }

    int trackedDialogs() {
        return bySipCallId.size();
    }

    /** One line per call still held, for leak hunting (benchmarks, tests): what each leg is waiting for. */
    List<String> describeCalls() {
        return calls.values().stream().map(call -> call.callId + " answered=" + call.answered + " ended="
                + call.ended + " transferring=" + call.transferring + " agents=" + call.agents.values().stream()
                .map(a -> a.user + "(answered=" + a.answered + " ended=" + a.ended + " forks=" + a.forks.size()
                        + " tx=" + a.forks.stream().map(f -> String.valueOf(f.transaction().getState())).toList()
                        + ")").toList()).toList();
    }

    // ---- requests from the network (called on the SIP thread: hand over only) ----

    /** A new INVITE: 100 Trying at once (RFC 3261 section 17.2.1), then the rest on the new call's lane. */
    void newInvite(RequestEvent event, ServerTransaction transaction) throws Exception {
        Request invite = event.getRequest();
        transaction.sendResponse(sip.messages().createResponse(Response.TRYING, invite));
        // A trunk's caller is often a tel: URI (RFC 3966); any other scheme is an anonymous caller.
        String from = SipRequestChecks.numberOf(((FromHeader) invite.getHeader(FromHeader.NAME)).getAddress().getURI());
        var call = new SipCall(CallId.random(), LegId.random(), callIdOf(invite), transaction, invite,
                UUID.randomUUID().toString().substring(0, 8), from == null ? "anonymous" : from);
        // One call per SIP Call-ID: should two stack threads each deliver a copy of a retransmitted INVITE before
        // either has a transaction, the first owns the call and the copy is dropped. Registering the Call-ID now also
        // lets a CANCEL that overtakes the admission find the call (it then runs after it, on the same lane)
        // instead of getting 481.
        if (recentlyEnded.containsKey(call.sipCallId) || bySipCallId.putIfAbsent(call.sipCallId, call) != null) {
            log.debug("INVITE {} already taken; copy dropped", call.sipCallId);
            return;
        }
        events.onLane(call.callId, () -> admit(call));
    }

    void inDialog(RequestEvent event, ServerTransaction transaction) {
        Request request = event.getRequest();
        SipCall call = bySipCallId.get(callIdOf(request));
        if (call == null) {
            respondQuietly(transaction, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
            return;
        }
        events.onLane(call.callId, () -> {
            try {
                switch (request.getMethod()) {
                    case Request.BYE -> inDialog.bye(call, request, transaction);
                    case Request.CANCEL -> inDialog.cancel(call, request, transaction);
                    case Request.INFO -> inDialog.info(call, request, transaction);
                    case Request.REFER -> transfers.referReceived(call, request, transaction);
                    case Request.NOTIFY -> transfers.notifyReceived(call, request, transaction);
                    case Request.INVITE -> inDialog.reInvite(call, request, transaction);
                    default -> sip.respond(transaction, request, Response.METHOD_NOT_ALLOWED, null);
                }
            } catch (Exception e) {
                if (isTransportFailure(e)) {
                    legUnreachable(call, callIdOf(request), "the response to its " + request.getMethod()
                            + " could not be sent (" + e.getMessage() + ")");
                } else {
                    log.error("Call {}: {} failed: {}", call.callId, request.getMethod(), e.toString(), e);
                }
            } finally {
                forgetIfFinished(call);
            }
        });
    }

    void response(ResponseEvent event) {
        ClientTransaction transaction = event.getClientTransaction();
        Object owner = transaction == null ? null : transaction.getApplicationData();
        if (owner instanceof Fork fork) {
            events.onLane(fork.call().callId, () -> legs.response(fork, event));
        } else if (owner instanceof Refer refer) {
            events.onLane(refer.call().callId, () -> transfers.referAnswered(refer, event));
        } else if (transaction != null) {
            int status = event.getResponse().getStatusCode();
            // RFC 3261 section 12.2.1.2: a 408 or 481 to a request within a dialog (our BYE, NOTIFY) ends the dialog.
            if (status == Response.REQUEST_TIMEOUT || status == Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST) {
                failed(callIdOf(event.getResponse()), status + " to our " + method(transaction));
            }
        }
        // Anything else: a retransmitted 2xx after our ACK, or another response to a BYE or NOTIFY.
    }

    /**
     * A request of ours got no response (RFC 3261 section 17.1.2.2, Timer B or F) or could not be sent (the stack
     * reports a transport error as a timeout, section 17.1.4): the leg it was sent to is gone.
     */
    void timeout(ClientTransaction transaction) {
        if (transaction == null) {
            return;
        }
        Object owner = transaction.getApplicationData();
        if (owner instanceof Fork fork) {
            events.onLane(fork.call().callId, () -> legs.forkFailed(fork, AgentLegOutcome.NO_RESPONSE));
        } else if (owner instanceof Refer refer) {
            events.onLane(refer.call().callId, () -> transfers.referFailed(refer, "408 Request Timeout",
                    "got no response"));
        } else {
            failed(sipCallIdOf(transaction), "no response to our " + method(transaction));
        }
    }

    /**
     * A response of ours could not be delivered (RFC 3261 section 17.2.4; the stack reports it as a server transaction
     * timeout, as it does Timer H for a final response that was never acknowledged): the leg is gone.
     */
    void serverTimeout(ServerTransaction transaction) {
        if (transaction != null) {
            failed(sipCallIdOf(transaction), "our final response to its " + method(transaction)
                    + " was not delivered or not acknowledged");
        }
    }

    /**
     * The stack could not send to a peer (RFC 3261 sections 17.1.4, 17.2.4, 18.4): a retransmitted 2xx or an ACK of a
     * dialog, or a request or response of a transaction. Over TCP this is how a peer that closed its connection shows:
     * the first retransmission of our 200 OK cannot be delivered, and the stack ends the dialog without waiting for
     * the ACK timeout (section 13.3.1.4), so this is the only notice that the caller has gone.
     */
    void transportError(Object source, String peer) {
        String sipCallId = source instanceof Dialog dialog ? (dialog.getCallId() == null ? null
                : dialog.getCallId().getCallId()) : source instanceof Transaction transaction ? sipCallIdOf(transaction)
                : null;
        SipCall call = sipCallId == null ? null : bySipCallId.get(sipCallId);
        if (call == null) {
            log.warn("SIP transport error towards {}, no call of ours", peer);
            return;
        }
        Object owner = source instanceof Transaction transaction ? transaction.getApplicationData() : null;
        if (owner instanceof Refer refer) {
            events.onLane(call.callId, () -> transfers.referFailed(refer, "503 Service Unavailable",
                    "could not be delivered to " + peer));
            return;
        }
        events.onLane(call.callId, () -> {
            legUnreachable(call, sipCallId, "SIP transport error towards " + peer);
            forgetIfFinished(call);
        });
    }

    /** Hands the end of the leg behind {@code sipCallId} (if it is one of ours) to its call's lane. */
    private void failed(String sipCallId, String why) {
        SipCall call = sipCallId == null ? null : bySipCallId.get(sipCallId);
        if (call == null) {
            log.debug("{} for SIP Call-ID {}, no call of ours", why, sipCallId);
            return;
        }
        events.onLane(call.callId, () -> {
            legUnreachable(call, sipCallId, why);
            forgetIfFinished(call);
        });
    }

    /**
     * An agent's phone that stopped sending RTP (the media timeout) is gone: its leg is hung up (BYE) and its end
     * reported like the agent's own BYE, so the flow completes the call. The caller's media timeout is the flow's to
     * handle: it treats it as the caller's hang-up.
     */
    @EventListener
    void on(MediaTimedOut event) {
        withCall(event.callId(), "media timeout", call -> {
            AgentLeg agent = call.agents.get(event.legId());
            if (agent != null && agent.answered && !agent.ended) {
                log.info("Call {}: agent {}'s phone sends no RTP any more; hanging up its leg", call.callId,
                        agent.user);
                hangUpAgentLeg(call, agent, HangupCause.MEDIA_TIMEOUT);
            }
        });
    }

    // ---- the caller's leg ----

    private void admit(SipCall call) {
        boolean admitted = false;
        try {
            Request invite = call.invite;
            if (!admissionControl.admit(System.nanoTime() - call.arrivedNanos)) {
                // RFC 3261 section 21.5.4: 503 with Retry-After tells the trunk to try another node or come back.
                Response shed = sip.messages().createResponse(Response.SERVICE_UNAVAILABLE, invite);
                shed.setReasonPhrase("Overloaded");
                shed.addHeader(sip.headers().createRetryAfterHeader(admissionControl.retryAfterSeconds()));
                call.inviteTransaction.sendResponse(shed);
                return;
            }
            InetAddress source = ((SIPRequest) invite).getRemoteAddress();
            Optional<String> trunk = trunks.trunkOf(source);
            if (trunk.isEmpty()) {
                admitted = agentCalls.admit(call, () -> calls.put(call.callId, call), this::contact);
                return;
            }
            Optional<String> insecure = security.refusal(trunk.get(), transportOf(invite));
            if (insecure.isPresent()) {
                log.warn("INVITE from trunk {} refused: {}", trunk.get(), insecure.get());
                sip.respond(call.inviteTransaction, invite, Response.FORBIDDEN, insecure.get());
                return;
            }
            // sip:100@host and tel:100 both call number 100; SipRequestChecks refused other schemes (416).
            String did = SipRequestChecks.numberOf(invite.getRequestURI());
            Optional<String> flow = did == null ? Optional.empty() : dialPlan.flowFor(did);
            if (flow.isEmpty()) {
                log.info("INVITE from {} for unknown number {} from trunk {}", call.caller, did, trunk.get());
                sip.respond(call.inviteTransaction, invite, Response.NOT_FOUND, "Unknown number");
                return;
            }
            if (invite.getRawContent() == null) {
                sip.respond(call.inviteTransaction, invite, Response.NOT_ACCEPTABLE_HERE, "SDP offer required");
                return;
            }
            try {
                call.callerMedia = media.answer(call.callId, call.callerLeg,
                        new String(invite.getRawContent(), StandardCharsets.UTF_8), security.trunkSrtp(trunk.get()));
            } catch (NoCommonCodecException e) {
                log.info("Call {}: 488, {}", call.callId, e.getMessage());
                sip.respond(call.inviteTransaction, invite, Response.NOT_ACCEPTABLE_HERE,
                        e.getMessage().contains("SRTP") ? "SRTP policy not met" : "No common codec");
                return;
            } catch (Exception e) {
                // Out of RTP ports, or one taken by another program (Netty rethrows the BindException unchecked):
                // an overload the trunk can route around (RFC 3261 section 21.5.4).
                log.warn("Call {}: 503, no media: {}", call.callId, e.getMessage());
                sip.respond(call.inviteTransaction, invite, Response.SERVICE_UNAVAILABLE, "No media resources");
                return;
            }
            calls.put(call.callId, call);
            admitted = true;
            Response ringing = sip.messages().createResponse(Response.RINGING, invite);
            ((ToHeader) ringing.getHeader(ToHeader.NAME)).setTag(call.toTag);
            ringing.addHeader(contact(transportOf(invite)));
            call.inviteTransaction.sendResponse(ringing);
            call.callerDialog = call.inviteTransaction.getDialog();
            log.info("Call {} from {} to {} on trunk {} -> flow {}", call.callId, call.caller, did, trunk.get(),
                    flow.get());
            events.publish(new CallArrived(call.callId, call.callerLeg, call.caller, did, trunk.get(), flow.get(),
                    Instant.now()));
            admission.record(System.nanoTime() - call.arrivedNanos, TimeUnit.NANOSECONDS);
        } catch (Exception e) {
            // One line per cause a minute: a peer able to provoke this must not be able to flood the log.
            problems.warn("Could not admit an INVITE: " + e.getClass().getSimpleName(), "call " + call.callId
                    + ", " + e.getMessage(), e);
            respondQuietly(call.inviteTransaction, call.invite, Response.SERVER_INTERNAL_ERROR, null);
            forget(call);
        } finally {
            if (!admitted) {
                forget(call);
            }
        }
    }

    // ---- CallControl: commands from the flow ----

    public void answer(CallId callId) {
        withCall(callId, "answer", call -> {
            if (call.answered || call.ended) {
                return;
            }
            Response ok = sip.messages().createResponse(Response.OK, call.invite);
            ((ToHeader) ok.getHeader(ToHeader.NAME)).setTag(call.toTag);
            ok.addHeader(contact(transportOf(call.invite)));
            ok.setContent(call.callerMedia.localSdp(), sip.headers().createContentTypeHeader("application", "sdp"));
            try {
                call.inviteTransaction.sendResponse(ok);
            } catch (Exception e) {
                // A caller that cannot be answered (a TCP connection it closed, RFC 3261 section 18.2.2) has gone.
                callerLegFailed(call, "the answer could not be sent (" + e.getMessage() + ")");
                return;
            }
            call.callerDialog = call.inviteTransaction.getDialog();
            call.answered = true;
        });
    }

    public void play(CallId callId, List<String> prompts, String language, boolean bargeIn) {
        mediaControl.play(callId, prompts, language, bargeIn);
    }

    public void playMusic(CallId callId, String musicClass) {
        mediaControl.playMusic(callId, musicClass);
    }

    public void collectDigits(CallId callId, CallControl.DigitCollection spec) {
        mediaControl.collectDigits(callId, spec);
    }

    public void dialAgent(CallId callId, LegId legId, String agentAddress, Duration ringTimeout) {
        withCall(callId, "dial agent", call -> {
            MediaSecurity.AgentPlan plan = security.agent(registrar.contacts(agentAddress));
            legs.dial(call, new AgentLeg(legId, agentAddress), plan.contacts(), plan.srtp(), ringTimeout, false,
                    call.caller);
        });
    }

    /**
     * An outbound call: a call of ours with no trunk leg, whose first leg rings the agent and plays the caller's part
     * for the media. Its legs are agent legs in every other respect (forks, ring timeout, BYE, media timeout).
     */
    public void originate(CallId callId, LegId agentLeg, String agentAddress, String callerId, Duration ringTimeout) {
        var call = new SipCall(callId, LegId.random(), "originate-" + callId, null, null,
                UUID.randomUUID().toString().substring(0, 8), callerId);
        call.outbound = true;
        call.setupMeasured = true;
        calls.put(callId, call);
        events.onLane(callId, () -> {
            try {
                MediaSecurity.AgentPlan plan = security.agent(registrar.contacts(agentAddress));
                legs.dial(call, new AgentLeg(agentLeg, agentAddress), plan.contacts(), plan.srtp(), ringTimeout, true,
                        callerId);
            } catch (Exception e) {
                log.error("Call {}: originate failed: {}", callId, e.toString(), e);
            } finally {
                forgetIfFinished(call);
            }
        });
    }

    /** Whether an outbound trunk is configured ({@code callflow.sip.outbound-trunk}). */
    boolean canDialOut() {
        return outboundTrunk != null;
    }

    /** A new leg of an outbound call towards {@code number} at the outbound trunk, From the call's agent. */
    public void dialOutbound(CallId callId, LegId legId, String number, Duration ringTimeout) {
        withCall(callId, "dial out", call -> {
            String from = call.agents.values().stream().findFirst().map(agent -> agent.user).orElse("callflow");
            List<Binding> trunk = outboundTrunk == null ? List.of() : List.of(new Binding(number,
                    "sip:" + number + "@" + outboundTrunk.host() + ":" + outboundTrunk.port(), null,
                    outboundTrunk.host(), outboundTrunk.port(), "udp", null, 0));
            legs.dial(call, new AgentLeg(legId, number), trunk, SrtpPolicy.OFF, ringTimeout, false, from);
        });
    }

    public void cancelAgentLeg(CallId callId, LegId legId) {
        withCall(callId, "cancel agent leg", call -> {
            AgentLeg agent = call.agents.get(legId);
            if (agent != null) {
                endAgent(call, agent);
            }
            forgetIfFinished(call);
        });
    }

    public void bridge(CallId callId, LegId agentLeg) {
        mediaControl.bridge(callId, agentLeg);
    }

    public void transfer(CallId callId, String target) {
        withCall(callId, "transfer", call -> transfers.start(call, target));
    }

    public void startRecording(CallId callId) {
        mediaControl.startRecording(callId);
    }

    public void stopRecording(CallId callId) {
        mediaControl.stopRecording(callId);
    }

    public void pauseRecording(CallId callId) {
        mediaControl.pauseRecording(callId, true);
    }

    public void resumeRecording(CallId callId) {
        mediaControl.pauseRecording(callId, false);
    }

    public void hangUp(CallId callId) {
        withCall(callId, "hang up", call -> {
            for (AgentLeg agent : call.agents.values()) {
                endAgent(call, agent);
            }
            if (call.outbound && !call.ended) {
                // No trunk leg to end: the call's end is announced on its synthetic caller leg.
                call.ended = true;
                events.publish(new LegHungUp(callId, call.callerLeg, HangupCause.LOCAL_HANGUP, Instant.now()));
            } else if (!call.ended) {
                call.ended = true;
                try {
                    if (call.answered) {
                        Request bye = call.callerDialog.createRequest(Request.BYE);
                        call.callerDialog.sendRequest(sip.provider().getNewClientTransaction(bye));
                    } else {
                        Response unavailable = sip.messages().createResponse(Response.TEMPORARILY_UNAVAILABLE,
                                call.invite);
                        ((ToHeader) unavailable.getHeader(ToHeader.NAME)).setTag(call.toTag);
                        call.inviteTransaction.sendResponse(unavailable);
                    }
                } catch (Exception e) {
                    log.warn("Call {}: the caller's leg ended without our BYE/480 reaching it: {}", callId,
                            e.toString());
                }
                media.release(call.callerMedia);
                events.publish(new LegHungUp(callId, call.callerLeg, HangupCause.LOCAL_HANGUP, Instant.now()));
            }
            forgetIfFinished(call);
        });
    }

    /** The caller never ACKed our 200 (RFC 3261 section 13.3.1.4): say BYE and end the caller's leg. */
    void ackNotReceived(Dialog dialog) {
        SipCall call = dialog == null || dialog.getCallId() == null ? null
                : bySipCallId.get(dialog.getCallId().getCallId());
        if (call == null || call.callerDialog != dialog) {
            return;
        }
        events.onLane(call.callId, () -> {
            callerLegFailed(call, "the caller never acknowledged our 200 OK");
            forgetIfFinished(call);
        });
    }

    /**
     * The leg behind {@code sipCallId} cannot be reached any more (a transport error, a request of ours without a
     * response, our answer undeliverable): it ends here, so no leg stays up on our side with nobody on it.
     */
    private void legUnreachable(SipCall call, String sipCallId, String why) {
        if (sipCallId.equals(call.sipCallId)) {
            callerLegFailed(call, why);
            return;
        }
        for (AgentLeg agent : call.agents.values()) {
            if (agent.ended) {
                continue;
            }
            if (agent.winner != null && agent.winner.sipCallId().equals(sipCallId)) {
                log.warn("Call {}: {}; agent {}'s leg ends", call.callId, why, agent.user);
                hangUpAgentLeg(call, agent, HangupCause.FAILURE);
            } else if (!agent.answered) {
                agent.forks.stream().filter(fork -> fork.sipCallId().equals(sipCallId)).findFirst()
                        .ifPresent(fork -> legs.forkFailed(fork, AgentLegOutcome.FAILED));
            }
        }
    }

    /**
     * Ends the caller's leg for a technical reason: BYE if it was answered (it may still arrive, and RFC 3261 section
     * 13.3.1.4 asks for one when the ACK is missing), media released, {@code LegHungUp(FAILURE)} so the flow runs its
     * caller-hang-up path (leave the queue, release the agent, close the record).
     */
    private void callerLegFailed(SipCall call, String why) {
        if (call.ended) {
            return;
        }
        log.warn("Call {}: {}; the caller's leg ends", call.callId, why);
        call.ended = true;
        if (call.answered && call.callerDialog != null) {
            sendByeQuietly(call, call.callerDialog);
        }
        media.release(call.callerMedia);
        events.publish(new LegHungUp(call.callId, call.callerLeg, HangupCause.FAILURE, Instant.now()));
    }

    /** Ends an answered agent leg we did not hang up on purpose and tells the flow, as the agent's own BYE would. */
    private void hangUpAgentLeg(SipCall call, AgentLeg agent, HangupCause cause) {
        endAgent(call, agent);
        events.publish(new LegHungUp(call.callId, agent.legId, cause, Instant.now()));
    }

    private void sendByeQuietly(SipCall call, Dialog dialog) {
        try {
            dialog.sendRequest(sip.provider().getNewClientTransaction(dialog.createRequest(Request.BYE)));
        } catch (Exception e) {
            // The leg ends either way; a peer that cannot be reached cannot be told.
            log.debug("Call {}: BYE not sent: {}", call.callId, e.toString());
        }
    }

    /** Ends an agent's leg on our side: BYE or CANCEL, and its media and SIP Call-ID released even if those fail. */
    @Override
    public void endAgent(SipCall call, AgentLeg agent) {
        legs.end(call, agent);
    }

    @Override
    public void forgetIfFinished(SipCall call) {
        if (call.finished()) {
            forget(call);
        }
    }

    private void forget(SipCall call) {
        boolean admitted = calls.remove(call.callId) != null;
        // Only admitted calls: a caller may retry a refused INVITE with the same Call-ID and a new CSeq.
        if (bySipCallId.remove(call.sipCallId, call) && admitted) {
            recentlyEnded.put(call.sipCallId, Boolean.TRUE);
            timers.schedule(() -> recentlyEnded.remove(call.sipCallId), TRANSACTION_LIFETIME.toMillis(),
                    TimeUnit.MILLISECONDS);
        }
        call.agents.values().forEach(agent -> agent.forks.forEach(f -> bySipCallId.remove(f.sipCallId())));
    }

    private interface CallWork {
        void run(SipCall call) throws Exception;
    }

    private void withCall(CallId callId, String what, CallWork work) {
        events.onLane(callId, () -> {
            SipCall call = calls.get(callId);
            if (call == null) {
                log.debug("Call {}: {} ignored, the call has ended", callId, what);
                return;
            }
            try {
                work.run(call);
            } catch (Exception e) {
                log.error("Call {}: {} failed: {}", callId, what, e.toString(), e);
            } finally {
                // A command that failed half-way may still have ended the last leg: never keep a finished call.
                forgetIfFinished(call);
            }
        });
    }

    /** Whether {@code e} is a failure to deliver a message (the stack wraps the IOException in a SipException). */
    static boolean isTransportFailure(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.io.IOException) {
                return true;
            }
        }
        return false;
    }

    private static String sipCallIdOf(Transaction transaction) {
        if (transaction.getApplicationData() instanceof Fork fork) {
            return fork.sipCallId();
        }
        Dialog dialog = transaction.getDialog();
        if (dialog != null && dialog.getCallId() != null) {
            return dialog.getCallId().getCallId();
        }
        Request request = transaction.getRequest();
        return request == null ? null : callIdOf(request);
    }

    private static String method(Transaction transaction) {
        Request request = transaction == null ? null : transaction.getRequest();
        return request == null ? "request" : request.getMethod();
    }

    @Override
    public ContactHeader contact() throws Exception {
        return contact("udp");
    }

    /** Our Contact for a dialog over {@code transport}: over TLS, the TLS port and transport=tls (RFC 3261 26.2). */
    ContactHeader contact(String transport) throws Exception {
        SipURI uri = sip.addresses().createSipURI("callflow", sip.advertisedAddress());
        uri.setPort(sip.port(transport));
        if (MediaSecurity.isTls(transport) && sip.tls() != null) {
            uri.setTransportParam("tls");
        }
        return sip.headers().createContactHeader(sip.addresses().createAddress(uri));
    }

    static String transportOf(Request request) {
        return ((ViaHeader) request.getHeader(ViaHeader.NAME)).getTransport();
    }

    void respondQuietly(ServerTransaction transaction, Request request, int status, String reason) {
        try {
            sip.respond(transaction, request, status, reason);
        } catch (Exception e) {
            log.info("{} to {} not sent: {}", status, request.getMethod(), e.toString());
        }
    }

    static String callIdOf(javax.sip.message.Message message) {
        return ((CallIdHeader) message.getHeader(CallIdHeader.NAME)).getCallId();
    }

    /** A new leg towards {@code number} through an outbound trunk (null: the default one), with its caller ID. */
    public void dialTrunk(CallId callId, LegId legId, String trunk, String number, String callerId,
            Duration ringTimeout) {
        withCall(callId, "dial trunk", call -> {
            var route = outboundTrunks.route(trunk, number, callerId);
            AgentLeg leg = new AgentLeg(legId, number);
            leg.trunkRoute = route.orElse(null);
            legs.dial(call, leg, route.map(r -> List.of(r.binding())).orElse(List.of()), SrtpPolicy.OFF, ringTimeout,
                    false, route.map(OutboundTrunks.Route::callerId).orElse(call.caller));
        });
    }

    /** Refuses the caller's unanswered INVITE with {@code status} and a reason phrase; else hangs the call up. */
    public void reject(CallId callId, int status, String reason) {
        withCall(callId, "reject", call -> {
            if (call.answered || call.ended || call.outbound || call.inviteTransaction == null) {
                hangUp(callId);
                return;
            }
            call.agents.values().forEach(agent -> endAgent(call, agent));
            call.ended = true;
            Response refusal = sip.messages().createResponse(status, call.invite);
            ((ToHeader) refusal.getHeader(ToHeader.NAME)).setTag(call.toTag);
            if (reason != null) {
                refusal.setReasonPhrase(reason);
            }
            try {
                call.inviteTransaction.sendResponse(refusal);
            } catch (Exception e) {
                log.warn("Call {}: the caller's leg ended without our {} reaching it: {}", callId, status,
                        e.toString());
            }
            media.release(call.callerMedia);
            events.publish(new LegHungUp(callId, call.callerLeg, HangupCause.LOCAL_HANGUP, Instant.now()));
        });
    }

    /** Puts a leg (null: the caller's) into an N-party mix with a role; see {@link CallControl#joinMix}. */
    public void joinMix(CallId callId, LegId legId, String mixId, io.callflow.call.MixRole role, LegId whisperTo) {
        mediaControl.joinMix(callId, legId, mixId, role, whisperTo);
    }

    // ---- hold from the operations API (a phone's own hold arrives as a re-INVITE, see reInvite) ----

    /** Holds the call at the media: Callflow anchors the RTP, so neither phone needs a re-INVITE (docs/sip.md). */
    public HoldOutcome hold(CallId callId) {
        return mediaControl.holdCall(callId, true, agentPlaysCaller(callId));
    }

    /** Ends {@link #hold}. */
    public HoldOutcome resume(CallId callId) {
        return mediaControl.holdCall(callId, false, agentPlaysCaller(callId));
    }

    /** An outbound call's first leg is the agent's, in the caller's place for the media. */
    private boolean agentPlaysCaller(CallId callId) {
        SipCall call = calls.get(callId);
        return call != null && call.outbound;
    }

    public void joinMix(CallId callId, LegId legId, String mixId, boolean talks) {
        mediaControl.joinMix(callId, legId, mixId, talks);
    }

    public void leaveMix(CallId callId, LegId legId) {
        mediaControl.leaveMix(callId, legId);
    }

    /** Starts recording after a consent announcement to the caller (see {@link CallControl#startRecordingAfter}). */
    public void startRecordingAfter(CallId callId, String prompt, String language) {
        mediaControl.startRecordingAfter(callId, prompt, language);
    }

    // ---- attended transfer from a phone (REFER with Replaces, see ReplacesTransfers) ----

    /** See {@link CallControl#completeReplacesTransfer}. */
    public void completeReplacesTransfer(CallId callId, LegId transferorLeg, CallId consultCallId, LegId targetLeg) {
        replaces.complete(callId, transferorLeg, consultCallId, targetLeg);
    }

    /** See {@link CallControl#refuseReplacesTransfer}. */
    public void refuseReplacesTransfer(CallId callId, String statusLine) {
        events.onLane(callId, () -> replaces.refuse(callId, statusLine));
    }

    /** The B2BUA's dialogs as a phone's transfer sees them. */
    private final class ReplacesDialogs implements ReplacesTransfers.Dialogs {

        @Override
        public SipCall bySipCallId(String sipCallId) {
            return bySipCallId.get(sipCallId);
        }

        @Override
        public SipCall call(CallId callId) {
            return calls.get(callId);
        }

        @Override
        public void track(String sipCallId, SipCall call) {
            bySipCallId.put(sipCallId, call);
        }

        @Override
        public void endAgent(SipCall call, AgentLeg agent) {
            B2bua.this.endAgent(call, agent);
        }

        @Override
        public void forgetIfFinished(SipCall call) {
            B2bua.this.forgetIfFinished(call);
        }

        @Override
        public void sendBye(SipCall call, Dialog dialog) {
            sendByeQuietly(call, dialog);
        }
    }

    /**
     * An outbound call whose first leg dials {@code number} at the outbound trunk, in the caller's place for the
     * media, From {@code callerId} (a callback that rings the customer first; the agent is dialled once they answer).
     */
    public void originateToNumber(CallId callId, LegId legId, String number, String callerId, Duration ringTimeout) {
        var call = new SipCall(callId, LegId.random(), "originate-" + callId, null, null,
                UUID.randomUUID().toString().substring(0, 8), callerId);
        call.outbound = true;
        call.setupMeasured = true;
        calls.put(callId, call);
        events.onLane(callId, () -> {
            try {
                List<Binding> trunk = outboundTrunk == null ? List.of() : List.of(new Binding(number,
                        "sip:" + number + "@" + outboundTrunk.host() + ":" + outboundTrunk.port(), null,
                        outboundTrunk.host(), outboundTrunk.port(), "udp", null, 0));
                legs.dial(call, new AgentLeg(legId, number), trunk, SrtpPolicy.OFF, ringTimeout, true, callerId);
            } catch (Exception e) {
                log.error("Call {}: originate to a number failed: {}", callId, e.toString(), e);
            } finally {
                forgetIfFinished(call);
            }
        });
    }
}
