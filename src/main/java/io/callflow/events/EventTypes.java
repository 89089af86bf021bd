package io.callflow.events;

import java.util.Set;

/** The event types Callflow announces (docs/events.md has each one's schema), and the stream's own notices. */
public final class EventTypes {

    public static final String CALL_ARRIVED = "call.arrived";
    public static final String CALL_QUEUED = "call.queued";
    public static final String CALL_OFFERED = "call.offered";
    public static final String CALL_ANSWERED = "call.answered";
    public static final String CALL_TRANSFERRED = "call.transferred";
    public static final String CALL_ENDED = "call.ended";
    public static final String CALL_MONITORED = "call.monitored";
    public static final String CALL_HELD = "call.held";
    public static final String CALL_RESUMED = "call.resumed";
    public static final String CALL_CONSULT_STARTED = "call.consult_started";
    public static final String CALL_CONSULT_COMPLETED = "call.consult_completed";
    public static final String CALL_CONSULT_CANCELLED = "call.consult_cancelled";
    public static final String CONFERENCE_PARTICIPANT_JOINED = "conference.participant_joined";
    public static final String CONFERENCE_PARTICIPANT_LEFT = "conference.participant_left";
    public static final String CONFERENCE_PARTICIPANT_MUTED = "conference.participant_muted";
    public static final String AGENT_STATE_CHANGED = "agent.state_changed";
    /** A waiting caller asked to be called back; the callback keeps their place. */
    public static final String CALLBACK_REQUESTED = "callback.requested";
    /** An attempt to call back ended (outcome in the data). */
    public static final String CALLBACK_ATTEMPTED = "callback.attempted";
    /** A callback reached its customer and the call ended. */
    public static final String CALLBACK_COMPLETED = "callback.completed";
    /** A callback is over without reaching its customer (retries used up, expired or cancelled). */
    public static final String CALLBACK_FAILED = "callback.failed";
    /** Live only: every few seconds to live subscribers, never written to the outbox. */
    public static final String QUEUE_STATS = "queue.stats";
    /** Notice: the first frame of every live stream, with the filter in force. */
    public static final String STREAM_SUBSCRIBED = "stream.subscribed";
    /** Notice: events were dropped for this subscriber because it did not keep up. */
    public static final String STREAM_DROPPED = "stream.dropped";

    /** Every type a subscriber may ask for. */
    public static final Set<String> ALL = Set.of(CALL_ARRIVED, CALL_QUEUED, CALL_OFFERED, CALL_ANSWERED,
            CALL_TRANSFERRED, CALL_ENDED, CALL_MONITORED, AGENT_STATE_CHANGED, QUEUE_STATS, CALL_HELD, CALL_RESUMED,
            CALL_CONSULT_STARTED, CALL_CONSULT_COMPLETED, CALL_CONSULT_CANCELLED, CONFERENCE_PARTICIPANT_JOINED,
            CONFERENCE_PARTICIPANT_LEFT, CONFERENCE_PARTICIPANT_MUTED,
            CALLBACK_REQUESTED, CALLBACK_ATTEMPTED, CALLBACK_COMPLETED, CALLBACK_FAILED);

    private EventTypes() {
    }
}
