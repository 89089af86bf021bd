package io.callflow.call;

import java.time.Duration;
import java.util.List;

/**
 * The commands a flow gives a call, independent of SIP and RTP. Outcomes arrive later as {@link CallEvent}s, so
 * every method returns as soon as the command is accepted and never blocks on the network. A seam that can be local
 * or remote: a call's dialog and media live on one node. Commands for a call that has already ended are ignored
 * (logged at debug), because a flow may race a hang-up.
 */
public interface CallControl {

    /**
     * Answers the caller's leg (200 OK with our SDP). No event follows, the flow goes on at once; a caller who never
     * acknowledges the answer is hung up ({@link LegHungUp}).
     */
    void answer(CallId callId);

    /** Queues prompts on the caller's leg; {@link PlaybackFinished} follows when the queue has played out. */
    void play(CallId callId, List<String> prompts, String language, boolean bargeIn);

    /** Loops music on hold to the caller until the next media command for the caller's leg. */
    void playMusic(CallId callId, String musicClass);

    /** Collects digits on the caller's leg; exactly one {@link DigitsCollected} or {@link NoInput} follows. */
    void collectDigits(CallId callId, DigitCollection spec);

    /** Rings the agent's phone(s) on a new leg whose id the flow chooses, so the command can be sent after commit. */
    void dialAgent(CallId callId, LegId legId, String agentAddress, Duration ringTimeout);

    /** Cancels or hangs up an agent leg; safe for a leg that has already ended. */
    void cancelAgentLeg(CallId callId, LegId legId);

    /** Connects the caller's audio with the agent leg's, both ways. */
    void bridge(CallId callId, LegId agentLeg);

    /** Blind-transfers the caller to {@code target} (a SIP URI or a number), ending Callflow's part of the call. */
    void transfer(CallId callId, String target);

    /** Starts recording the call (caller and agent) into the recordings directory. */
    void startRecording(CallId callId);

    /** Stops a recording; the file stays valid. Safe when nothing records. */
    void stopRecording(CallId callId);

    /**
     * Pauses a recording: until {@link #resumeRecording} the file gets silence, so its length still matches the
     * call's wall-clock time (a timeline's offsets stay true) while nothing said is kept. Safe when nothing records.
     */
    void pauseRecording(CallId callId);

    /** Resumes a paused recording. Safe when nothing records or nothing is paused. */
    void resumeRecording(CallId callId);

    /**
     * Starts an outbound call (click-to-call) whose first leg rings the agent's phone(s) on {@code agentLeg}; that leg
     * then plays the caller's part for the media (bridge, recording); the phone shows {@code callerId} as calling (the
     * number about to be dialled). Outcomes as for {@link #dialAgent}:
     * {@link LegRinging}, {@link LegAnswered} or {@link AgentLegFailed}; the call's own end is a {@link LegHungUp} of
     * one of its legs.
     */
    void originate(CallId callId, LegId agentLeg, String agentAddress, String callerId, Duration ringTimeout);

    /**
     * Dials {@code number} through the outbound trunk on a new leg of an originated call; outcomes as for
     * {@link #dialAgent}. Without an outbound trunk the leg fails at once ({@link AgentLegFailed}, UNAVAILABLE).
     */
    void dialOutbound(CallId callId, LegId legId, String number, Duration ringTimeout);

    /** Whether outbound calls can be dialled: an outbound trunk is configured. */
    boolean canDialOut();

    /** Ends every leg of the call; {@link LegHungUp} events with {@link HangupCause#LOCAL_HANGUP} follow. */
    void hangUp(CallId callId);

    /**
     * Whether this node still carries the call's signalling (its caller's dialog or an agent leg). A call that has an
     * open record, a queue place or an agent but is not live here has lost its signalling and can never end by
     * itself: reconciliation ends it.
     */
    boolean isLive(CallId callId);

    /**
     * Dials {@code number} through the named outbound trunk ({@code callflow.sip.outbound-trunks}; null: the default
     * trunk) on a new leg, presenting {@code callerId} as the trunk expects (From and/or P-Asserted-Identity; null:
     * the trunk's own rule). Outcomes as for {@link #dialAgent}. Without such a trunk the leg fails at once
     * ({@link AgentLegFailed}, UNAVAILABLE). Works on any call, inbound or agent-placed.
     */
    default void dialTrunk(CallId callId, LegId legId, String trunk, String number, String callerId,
            Duration ringTimeout) {
        dialOutbound(callId, legId, number, ringTimeout);
    }

    /**
     * Refuses the caller's INVITE, still unanswered, with a SIP {@code status} (4xx-6xx) and reason phrase (an agent's
     * call the dial plan or a feature could not serve); a {@link LegHungUp} of the caller's leg follows. On an
     * answered call it hangs up, as {@link #hangUp} does.
     */
    default void reject(CallId callId, int status, String reason) {
        hangUp(callId);
    }

    /**
     * Holds the call from the agent's side without signalling (Callflow anchors the media, so no re-INVITE is needed):
     * the caller hears music on hold, the agent silence, and nothing is relayed either way until {@link #resume}.
     * The recording goes on (the music and silence are recorded).
     */
    HoldOutcome hold(CallId callId);

    /** Ends a hold started by {@link #hold}; a phone's own hold (re-INVITE) stays until the phone resumes. */
    HoldOutcome resume(CallId callId);

    /**
     * Puts a leg of the call into the named N-party mix (created on first use), ending its bridge, prompts and music:
     * it hears every other member, and they hear it when {@code talks}. A no-op where a call has no media (fakes).
     */
    default void joinMix(CallId callId, LegId legId, String mixId, boolean talks) {
    }

    /** Takes a leg out of its mix; a mix ends with its last member. A no-op where a call has no media (fakes). */
    default void leaveMix(CallId callId, LegId legId) {
    }

    /** How to collect digits: at most {@code maxDigits}, ended early by the terminator key. */
    record DigitCollection(int maxDigits, Character terminator, Duration firstDigitTimeout,
            Duration interDigitTimeout) {
    }

    /**
     * Puts a leg of the call ({@code legId} null: the caller's leg) into the call's N-party mix {@code mixId} with a
     * role (who hears it; {@code whisperTo} names the one leg that hears a {@link MixRole#WHISPERER}); a leg already in
     * the mix only changes role. {@link #bridge} takes the caller and a leg back out into a plain bridge.
     */
    default void joinMix(CallId callId, LegId legId, String mixId, MixRole role, LegId whisperTo) {
        throw new UnsupportedOperationException("mixing is not available");
    }

    /**
     * Starts recording after a consent announcement: {@code prompt} plays to the caller first, a bridge asked for
     * meanwhile waits until it has finished (the agent is connected after the announcement), and the recording starts
     * when it ends. Without media (fakes) it is {@link #startRecording}.
     */
    default void startRecordingAfter(CallId callId, String prompt, String language) {
        startRecording(callId);
    }

    /**
     * Completes a phone's attended transfer ({@link ReplacesTransferRequested}): {@code targetLeg} moves from the
     * consultation call into this call (its hang-up is then this call's), the consultation call's leg to the agent's
     * phone ends (BYE), and the agent's leg here hears NOTIFY 200 (RFC 3515 section 2.4.5) and ends. The media bridge
     * is the caller's to set with {@link #bridge}. A no-op where calls have no SIP (fakes).
     */
    default void completeReplacesTransfer(CallId callId, LegId transferorLeg, CallId consultCallId, LegId targetLeg) {
    }

    /**
     * Refuses a phone's attended transfer: the agent's phone hears {@code statusLine} (e.g. "403 Forbidden") in the
     * final NOTIFY and every leg stays as it was. A no-op where calls have no SIP (fakes).
     */
    default void refuseReplacesTransfer(CallId callId, String statusLine) {
    }

    /**
     * Places an outbound call whose first leg dials {@code number} through the default outbound trunk, From
     * {@code callerId}; that leg plays the caller's part for the media (prompts, music, the bridge), and
     * {@link #dialAgent} adds the agent later (a callback that rings the customer first).
     */
    default void originateToNumber(CallId callId, LegId legId, String number, String callerId,
            Duration ringTimeout) {
        throw new UnsupportedOperationException("calling a number first is not available");
    }
}
