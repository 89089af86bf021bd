package io.callflow.events;

import io.callflow.acd.AgentStateRecorded;
import io.callflow.acd.CallConnected;
import io.callflow.acd.CallOffered;
import io.callflow.acd.CallQueued;
import io.callflow.acd.CallbackChanged;
import io.callflow.flow.CallHoldChanged;
import io.callflow.flow.CallRecordClosed;
import io.callflow.flow.CallRecordOpened;
import io.callflow.flow.CallMonitored;
import io.callflow.flow.CallTransferred;
import io.callflow.flow.ConferenceChanged;
import io.callflow.flow.ConsultationStep;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns the modules' in-transaction domain records into versioned {@link PlatformEvent}s in the outbox. The records
 * are published synchronously inside the transaction of the change, so each {@link Outbox#append} joins it: the event
 * commits or rolls back with what it announces. Schemas: docs/events.md and docs/events/*.json.
 */
@Component
class DomainEventsToOutbox {

    static final int VERSION = 1;

    private final Outbox outbox;

    DomainEventsToOutbox(Outbox outbox) {
        this.outbox = outbox;
    }

    @EventListener
    void on(CallRecordOpened opened) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_ARRIVED, VERSION, opened.at(), opened.callId().value(), null,
                null, EventData.with("caller", opened.caller()).and("did", opened.did()).and("trunk", opened.trunk())
                        .and("flow", opened.flowKey())
                        .and("direction", opened.outbound() ? "outbound" : "inbound").map()));
    }

    @EventListener
    void on(CallQueued queued) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_QUEUED, VERSION, queued.at(), queued.callId().value(),
                queued.queue(), null, EventData.with("caller", queued.caller()).and("priority", queued.priority())
                        .and("requeued", queued.again()).map()));
    }

    @EventListener
    void on(CallbackChanged callback) {
        String type = switch (callback.change()) {
            case "requested" -> EventTypes.CALLBACK_REQUESTED;
            case "attempted" -> EventTypes.CALLBACK_ATTEMPTED;
            case "completed" -> EventTypes.CALLBACK_COMPLETED;
            default -> EventTypes.CALLBACK_FAILED;
        };
        EventData data = EventData.with("originalCallId", callback.callId()).and("number", callback.number())
                .and("attempts", callback.attempts());
        if (type.equals(EventTypes.CALLBACK_ATTEMPTED)) {
            data = data.and("outcome", callback.outcome());
        } else if (type.equals(EventTypes.CALLBACK_FAILED)) {
            data = data.and("reason", callback.change().toUpperCase(java.util.Locale.ROOT));
        }
        outbox.append(PlatformEvent.of(type, VERSION, callback.at(), callback.callbackId(), callback.queue(),
                callback.agentId(), data.map()));
    }

    @EventListener
    void on(CallOffered offered) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_OFFERED, VERSION, offered.at(), offered.callId().value(),
                offered.queue(), offered.agentId(), EventData.with("sipUser", offered.sipUser())
                        .and("waitedSeconds", offered.waitedSeconds()).map()));
    }

    @EventListener
    void on(CallConnected connected) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_ANSWERED, VERSION, connected.at(), connected.callId().value(),
                connected.queue(), connected.agentId(),
                EventData.with("waitedSeconds", connected.waitedSeconds()).map()));
    }

    @EventListener
    void on(CallTransferred transferred) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_TRANSFERRED, VERSION, transferred.at(),
                transferred.callId().value(), transferred.queue(), transferred.agent(),
                EventData.with("target", transferred.target()).map()));
    }

    @EventListener
    void on(CallMonitored monitored) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_MONITORED, VERSION, monitored.at(),
                monitored.callId().value(), null, monitored.agent(), EventData.with("action", monitored.action())
                        .and("mode", monitored.mode()).and("supervisor", monitored.supervisor())
                        .and("phone", monitored.phone()).map()));
    }

    @EventListener
    void on(CallRecordClosed closed) {
        outbox.append(PlatformEvent.of(EventTypes.CALL_ENDED, VERSION, closed.at(), closed.callId().value(),
                closed.queue(), closed.agent(), EventData.with("outcome", closed.outcome())
                        .and("hangupCause", closed.hangupCause()).and("caller", closed.caller())
                        .and("did", closed.did()).and("answered", closed.answeredAt() != null)
                        .and("answeredAt", closed.answeredAt() == null ? null : closed.answeredAt().toString())
                        .map()));
    }

    @EventListener
    void on(AgentStateRecorded change) {
        outbox.append(PlatformEvent.of(EventTypes.AGENT_STATE_CHANGED, VERSION, change.at(), change.callId(), null,
                change.agentId(), EventData.with("from", change.from().name()).and("to", change.to().name())
                        .and("reason", change.reason()).map()));
    }

    @EventListener
    void on(CallHoldChanged hold) {
        outbox.append(PlatformEvent.of(hold.held() ? EventTypes.CALL_HELD : EventTypes.CALL_RESUMED, VERSION,
                hold.at(), hold.callId().value(), hold.queue(), hold.agent(),
                EventData.with("by", hold.by()).and("actor", hold.actor()).map()));
    }

    @EventListener
    void on(ConsultationStep step) {
        String type = switch (step.step()) {
            case ConsultationStep.STARTED -> EventTypes.CALL_CONSULT_STARTED;
            case ConsultationStep.COMPLETED -> EventTypes.CALL_CONSULT_COMPLETED;
            default -> EventTypes.CALL_CONSULT_CANCELLED;
        };
        EventData data = EventData.with("target", step.target()).and("targetAgent", step.targetAgent());
        if (type.equals(EventTypes.CALL_CONSULT_COMPLETED)) {
            data.and("how", step.how());
        }
        outbox.append(PlatformEvent.of(type, VERSION, step.at(), step.callId().value(), step.queue(), step.agent(),
                data.and("reason", step.reason()).map()));
    }

    @EventListener
    void on(ConferenceChanged change) {
        String type = switch (change.action()) {
            case ConferenceChanged.JOINED -> EventTypes.CONFERENCE_PARTICIPANT_JOINED;
            case ConferenceChanged.LEFT -> EventTypes.CONFERENCE_PARTICIPANT_LEFT;
            default -> EventTypes.CONFERENCE_PARTICIPANT_MUTED;
        };
        EventData data = EventData.with("room", change.room()).and("participant", change.participant())
                .and("kind", change.kind()).and("target", change.target()).and("muted", change.muted());
        if (type.equals(EventTypes.CONFERENCE_PARTICIPANT_LEFT)) {
            data.and("reason", change.reason());
        }
        outbox.append(PlatformEvent.of(type, VERSION, change.at(), change.callId().value(), null, change.agent(),
                data.map()));
    }
}
