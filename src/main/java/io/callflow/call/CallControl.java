package io.callflow.call;

import java.time.Duration;
import java.util.List;

/**
 * The commands a flow gives a call, independent of SIP and RTP. Outcomes arrive later as {@link CallEvent}s, so
 * every method returns as soon as the command is accepted. A seam that can be local or remote: a call's dialog
 * and media live on one node.
 */
public interface CallControl {

    void answer(CallId callId);

    /** Queues prompts on the caller's leg; {@link PlaybackFinished} follows when the queue has played out. */
    void play(CallId callId, List<String> prompts, String language, boolean bargeIn);

    void collectDigits(CallId callId, DigitCollection spec);

    /** Rings the agent's phone(s) on a new leg whose id the flow chooses, so the command can be sent after commit. */
    void dialAgent(CallId callId, LegId legId, String agentAddress, Duration ringTimeout);

    void cancelAgentLeg(CallId callId, LegId legId);

    void bridge(CallId callId, LegId agentLeg);

    void transfer(CallId callId, String target);

    void startRecording(CallId callId);

    void stopRecording(CallId callId);

    void hangUp(CallId callId);

    /** How to collect digits: at most {@code maxDigits}, ended early by the terminator key. */
    record DigitCollection(int maxDigits, Character terminator, Duration firstDigitTimeout,
            Duration interDigitTimeout) {
    }
}
