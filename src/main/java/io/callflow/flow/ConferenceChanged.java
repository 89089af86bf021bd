package io.callflow.flow;

import java.time.Instant;

import io.callflow.call.CallId;

/**
 * A conference participant joined ({@code JOINED}), left ({@code LEFT}, with the reason) or was muted or unmuted
 * ({@code MUTED}): the room, the participant's id, kind (caller, agent, queue, number), target, agent record, the
 * call whose leg it is and whether it is muted now.
 */
public record ConferenceChanged(String room, String action, String participant, String kind, String target,
        String agent, CallId callId, boolean muted, String reason, Instant at) {

    /** A participant is in the room's mix. */
    public static final String JOINED = "JOINED";
    /** A participant left the room (hung up, removed, not reached, or the room ended). */
    public static final String LEFT = "LEFT";
    /** A participant was muted or unmuted ({@link #muted}). */
    public static final String MUTED = "MUTED";
}
