package io.callflow.call;

import java.util.Objects;

import org.springframework.context.ApplicationEventPublisher;
import org.springframework.stereotype.Component;

/**
 * The one way the SIP and media layers report what happened to a call: the event is handed to the call's own lane
 * and published there as a Spring application event, so listeners see one call's events in order and protocol
 * threads never run business logic.
 */
@Component
public class CallEventPublisher {

    private final CallLanes lanes;
    private final ApplicationEventPublisher events;

    public CallEventPublisher(CallLanes lanes, ApplicationEventPublisher events) {
        this.lanes = lanes;
        this.events = events;
    }

    /**
     * Returns at once; the event is published on the call's lane after every event published before it. While an
     * earlier event of the call waits for the database, this one waits behind it.
     */
    public void publish(CallEvent event) {
        Objects.requireNonNull(event, "event");
        lanes.submitHeld(event.callId(), () -> events.publishEvent(event));
    }

    /** Runs other per-call work (a command's follow-up) on the call's lane, in order with its events. */
    public void onLane(CallId callId, Runnable task) {
        lanes.submit(callId, task);
    }
}
