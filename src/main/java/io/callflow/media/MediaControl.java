package io.callflow.media;

import java.util.List;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallId;
import io.callflow.call.LegId;

/**
 * What the call layer asks of the media of a call once its legs exist: prompts, music, digits, bridging and
 * recording. Outcomes are published as call events ({@code PlaybackFinished}, {@code DigitsCollected},
 * {@code NoInput}, {@code MediaTimedOut}); no method blocks.
 */
public interface MediaControl {

    /** Plays prompts from {@code prompts/<language>/<name>.wav} on the caller leg, in order. */
    void play(CallId callId, List<String> prompts, String language, boolean bargeIn);

    /** Loops music on hold on the caller leg until the next media command for it. */
    void playMusic(CallId callId, String musicClass);

    /** Collects digits on the caller leg; digits pressed during a barge-in prompt count. */
    void collectDigits(CallId callId, DigitCollection spec);

    /** A digit that arrived in signalling (SIP INFO) rather than in RTP. */
    void digitReceived(CallId callId, LegId legId, char digit);

    /** Relays audio between the caller leg and {@code otherLeg}, both ways, stopping prompts and music. */
    void bridge(CallId callId, LegId otherLeg);

    void startRecording(CallId callId);

    void stopRecording(CallId callId);
}
