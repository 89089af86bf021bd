package io.callflow.flow;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.callflow.call.CallId;
import io.callflow.call.LegDigitPressed;
import io.callflow.call.LegHungUp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The agent's in-call feature codes for the recording: {@code callflow.recordings.pause-code} (default {@code *1})
 * pauses it, {@code callflow.recordings.resume-code} (default {@code *2}) resumes it, keyed on the agent's phone
 * during the call (RFC 4733, SIP INFO or in-band, as the media layer detects them). A code starts with {@code *}; keys
 * more than {@link #GAP} apart do not make one code. Acts only on a call that is being recorded.
 */
@Component
class RecordingFeatureCodes {

    /** The longest pause between two keys of one code. */
    static final Duration GAP = Duration.ofSeconds(3);

    private static final Pattern CODE = Pattern.compile("\\*[0-9#]{1,4}");
    private static final Logger log = LoggerFactory.getLogger(RecordingFeatureCodes.class);

    private final CallRecordings recordings;
    private final LiveCalls live;
    private final CallCommands commands;
    private final Clock clock;
    private final String pauseCode;
    private final String resumeCode;
    /** Keys typed so far per call, from its last '*'; events of one call arrive in order on its lane. */
    private final Map<CallId, Typed> typed = new ConcurrentHashMap<>();

    RecordingFeatureCodes(CallRecordings recordings, LiveCalls live, CallCommands commands, Clock clock,
            @Value("${callflow.recordings.pause-code:*1}") String pauseCode,
            @Value("${callflow.recordings.resume-code:*2}") String resumeCode) {
        for (String code : new String[] {pauseCode, resumeCode}) {
            if (!CODE.matcher(code).matches()) {
                throw new IllegalStateException("callflow.recordings.pause-code/resume-code: '" + code
                        + "' is not '*' and 1 to 4 keys (0-9, #)");
            }
        }
        if (pauseCode.startsWith(resumeCode) || resumeCode.startsWith(pauseCode)) {
            throw new IllegalStateException("callflow.recordings.pause-code '" + pauseCode + "' and resume-code '"
                    + resumeCode + "' must differ and neither start the other");
        }
        this.recordings = recordings;
        this.live = live;
        this.commands = commands;
        this.clock = clock;
        this.pauseCode = pauseCode;
        this.resumeCode = resumeCode;
    }

    @EventListener
    void on(LegDigitPressed event) {
        Instant now = clock.instant();
        Typed before = typed.get(event.callId());
        String keys;
        if (event.digit() == '*') {
            keys = "*";
        } else if (before == null || Duration.between(before.at(), now).compareTo(GAP) > 0) {
            typed.remove(event.callId());
            return;
        } else {
            keys = before.keys() + event.digit();
        }
        if (keys.equals(pauseCode) || keys.equals(resumeCode)) {
            typed.remove(event.callId());
            act(event.callId().value(), keys.equals(pauseCode), keys);
        } else if (pauseCode.startsWith(keys) || resumeCode.startsWith(keys)) {
            typed.put(event.callId(), new Typed(keys, now));
        } else {
            typed.remove(event.callId());
        }
    }

    @EventListener
    void on(LegHungUp event) {
        typed.remove(event.callId());
    }

    private void act(String callId, boolean pause, String code) {
        if (!recordings.recorded(callId)) {
            log.info("Call {}: feature code {} ignored, the call is not being recorded", callId, code);
            return;
        }
        String agent = live.find(callId).map(LiveCall::agent).orElse(null);
        String actor = agent == null ? "agent-phone" : agent;
        if (pause) {
            recordings.pause(callId, actor);
        } else {
            recordings.resume(callId, actor);
        }
        commands.recordAction(callId, actor, pause ? "RECORDING_PAUSE" : "RECORDING_RESUME", "feature code " + code);
    }

    private record Typed(String keys, Instant at) {
    }
}
