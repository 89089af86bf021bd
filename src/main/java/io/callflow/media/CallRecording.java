package io.callflow.media;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Executor;

import io.callflow.call.CallId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The recording of a call, one file per call named after it: the caller leg on one side and what the caller hears on
 * the other (its bridged peer, or the mix it is in), written every 20 ms by the ticker and handed to the disk thread.
 * In a mix the file holds what the caller hears plus the caller, not the full mix: it is the customer's conversation
 * (a supervisor's whisper to the agent, which the caller never heard, stays out of it), and it keeps the two-channel
 * layout (caller | other side) the file has had since before the mix.
 */
final class CallRecording {

    private static final Logger log = LoggerFactory.getLogger(CallRecording.class);

    private final MediaProperties properties;
    private final Path directory;
    private final Executor disk;
    /** Set by Spring after construction; without it (tests building the engine by hand) files are plain WAV. */
    private volatile RecordingKeys keys;

    CallRecording(MediaProperties properties, Path directory, Executor disk) {
        this.properties = properties;
        this.directory = directory;
        this.disk = disk;
    }

    /** Starts recording the caller leg's call; no-op if it records already. Ticker. */
    void start(RtpLeg caller) {
        if (caller.recorder != null) {
            return;
        }
        CallId callId = caller.callId;
        try {
            caller.captured.clear();
            caller.recordingPaused = false;
            caller.recorder = new Recorder(directory.resolve(callId.value() + ".wav"), properties.recordingChannels(),
                    keys);
            log.info("Call {}: recording to {}", callId, caller.recorder.file());
        } catch (IOException e) {
            log.error("Call {}: cannot record to {}: {}", callId, directory, e.toString());
        }
    }

    void keys(RecordingKeys keys) {
        this.keys = keys;
    }

    /**
     * Plays the consent announcement to the caller and starts recording when it ends ({@link #consentFinished}); with
     * no announcement (a missing prompt) it starts at once. Ticker.
     */
    void announceThenStart(RtpLeg caller, short[] announcement) {
        if (announcement == null || announcement.length == 0 || caller.recorder != null) {
            start(caller);
            return;
        }
        caller.music = null;
        caller.prompts.clear();
        caller.prompts.add(new RtpLeg.Playback(announcement, false));
        caller.consentPlaying = true;
        log.info("Call {}: consent announcement before the recording", caller.callId);
    }

    /** Whether a bridge of the caller must wait for the consent announcement (remembered until it ends). Ticker. */
    boolean holdBridge(RtpLeg caller, RtpLeg other) {
        if (!caller.consentPlaying) {
            return false;
        }
        caller.bridgeAfterConsent = other;
        return true;
    }

    /**
     * Called when the caller's prompts have played out: after a consent announcement, starts the recording and returns
     * the leg whose bridge waited for it (or null). Ticker.
     */
    RtpLeg consentFinished(RtpLeg caller) {
        if (!caller.consentPlaying) {
            return null;
        }
        caller.consentPlaying = false;
        RtpLeg other = caller.bridgeAfterConsent;
        caller.bridgeAfterConsent = null;
        start(caller);
        return other;
    }

    /** Pauses or resumes: while paused, silence is written in place of the audio. Any thread. */
    void pause(RtpLeg caller, boolean paused) {
        caller.recordingPaused = paused;
        log.info("Call {}: recording {}", caller.callId, paused ? "paused" : "resumed");
    }

    /** One 20 ms frame of each side into the caller's recording; a side that sent nothing is silence. Ticker. */
    void frame(RtpLeg caller) {
        Recorder recorder = caller.recorder;
        if (recorder == null) {
            return;
        }
        short[] callerSamples = caller.captured.read();
        short[] otherSamples;
        RtpLeg bridged = caller.peer;
        if (caller.mix == null && HoldAudio.held(caller, bridged)) {
            // On hold: each side of the file gets what the held party hears (the music) or silence, never speech.
            bridged.captured.read();
            callerSamples = HoldAudio.recorded(bridged);
            otherSamples = HoldAudio.recorded(caller);
        } else if (caller.mix != null) {
            // In a mix the caller's own audio reached the mixer, and what it hears is the mixer's output for it.
            callerSamples = caller.mixSent;
            otherSamples = caller.mixHeard;
        } else {
            RtpLeg peer = caller.peer;
            otherSamples = peer == null ? null : peer.captured.read();
        }
        // While paused the audio read above is dropped and silence written: the file stays aligned with the call's
        // clock, and nothing said in the pause is kept.
        boolean paused = caller.recordingPaused;
        short[] left = paused ? null : callerSamples;
        short[] right = paused ? null : otherSamples;
        disk.execute(() -> {
            try {
                recorder.append(left, right, NettyMediaEngine.FRAME);
            } catch (IOException e) {
                log.warn("Call {}: recording write failed: {}", caller.callId, e.toString());
            }
        });
    }

    /** Stops the recording, if any; the file stays a valid WAV. Ticker. */
    void stop(RtpLeg caller) {
        Recorder recorder = caller.recorder;
        caller.recorder = null;
        if (recorder != null) {
            disk.execute(() -> {
                try {
                    recorder.close();
                } catch (IOException e) {
                    log.error("Call {}: closing recording {} failed: {}", caller.callId, recorder.file(), e.toString());
                }
            });
        }
    }
}
