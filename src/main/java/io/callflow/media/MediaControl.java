package io.callflow.media;

import java.util.List;

import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallId;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegId;
import io.callflow.call.MixRole;

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

    /**
     * Puts a leg into the named N-party mix (created on first use), ending its bridge, prompts and music: it hears
     * every other member, and they hear it when {@code talks} (false: a listener, e.g. a supervisor listening in).
     */
    void joinMix(CallId callId, LegId legId, String mixId, boolean talks);

    /** Takes a leg out of its mix; a mix ends with its last member. */
    void leaveMix(CallId callId, LegId legId);

    /** Records the caller leg and what it is bridged to (stereo or mixed mono, {@code callflow.media.*}). */
    void startRecording(CallId callId);

    /** Stops the recording; the file stays a valid WAV. */
    void stopRecording(CallId callId);

    /** Pauses ({@code paused}) or resumes the recording: while paused, silence is written in place of the audio. */
    void pauseRecording(CallId callId, boolean paused);

    /**
     * Puts a leg into the named N-party mix (created on first use) with a role that says who hears it (every role hears
     * the members heard by all); a leg already in that mix just changes role, without a gap. {@code whisperTo} names
     * the one leg that hears a {@link MixRole#WHISPERER} (ignored for the other roles); {@code legId} null is the
     * caller's leg.
     */
    void joinMix(CallId callId, LegId legId, String mixId, MixRole role, LegId whisperTo);

    /**
     * Holds ({@code held}) or resumes the bridge between the caller leg and its agent from the agent's side: the
     * caller hears music on hold, the agent silence, nothing is relayed; the recording gets the music. A phone's own
     * hold (re-INVITE, {@link MediaEndpoints#reoffer}) is separate and stays until that phone resumes.
     * {@code agentIsCallerLeg}: the agent's leg is the caller leg (an outbound call), the other party its peer.
     */
    HoldOutcome holdCall(CallId callId, boolean held, boolean agentIsCallerLeg);

    /** Plays {@code prompt} to the caller, holding back a bridge asked for meanwhile, then starts recording. */
    default void startRecordingAfter(CallId callId, String prompt, String language) {
        startRecording(callId);
    }
}
