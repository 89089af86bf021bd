package io.callflow.flow;

import java.time.Clock;

import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.HoldOutcome;
import io.callflow.call.LegHoldChanged;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hold and resume of a connected call, from the API or from a phone's re-INVITE: each change goes to the call's
 * timeline ({@code call_action} HOLD / RESUME) and out as {@link CallHoldChanged} in the same transaction.
 */
@Component
public class CallHolds {

    private final CallControl callControl;
    private final CallCommands commands;
    private final LiveCalls live;
    private final TransactionTemplate tx;
    private final ApplicationEventPublisher events;
    private final Clock clock;

    CallHolds(CallControl callControl, CallCommands commands, LiveCalls live, TransactionTemplate tx,
            ApplicationEventPublisher events, Clock clock) {
        this.callControl = callControl;
        this.commands = commands;
        this.live = live;
        this.tx = tx;
        this.events = events;
        this.clock = clock;
    }

    /**
     * Holds ({@code held}) or resumes the call from the agent's side; returns whether it changed (false: it was so
     * already). Refused ({@link CallCommandRefused}) when no agent is connected to the call.
     */
    public boolean hold(String callId, boolean held, String actor) {
        HoldOutcome outcome = held ? callControl.hold(new CallId(callId)) : callControl.resume(new CallId(callId));
        if (outcome == HoldOutcome.NO_AGENT) {
            throw new CallCommandRefused("Call '" + callId + "' has no connected agent to " + (held ? "hold" : "resume")
                    + " it");
        }
        if (outcome == HoldOutcome.CHANGED) {
            announce(callId, held, "api", actor);
        }
        return outcome == HoldOutcome.CHANGED;
    }

    @EventListener
    void on(LegHoldChanged event) {
        announce(event.callId().value(), event.held(), event.callerSide() ? "caller-phone" : "agent-phone", null);
    }

    private void announce(String callId, boolean held, String by, String actor) {
        LiveCall call = live.find(callId).orElse(null);
        tx.executeWithoutResult(status -> {
            commands.recordAction(callId, actor == null ? by : actor, held ? "HOLD" : "RESUME", "by " + by);
            events.publishEvent(new CallHoldChanged(new CallId(callId), held, by, actor,
                    call == null ? null : call.queue(), call == null ? null : call.agent(), clock.instant()));
        });
    }
}
