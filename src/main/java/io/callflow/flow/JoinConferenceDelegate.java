package io.callflow.flow;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * Task type "Join Conference": puts the answered caller into the conference room {@code conferenceRoom} (created on
 * first use, e.g. a conference bridge DID), muted when {@code muted} is true. The flow then waits for the caller to
 * hang up; the caller leaves the room with the call. Result: {@code conferenceRoom}.
 */
@Component("joinConference")
class JoinConferenceDelegate implements JavaDelegate {

    private final Conferences conferences;

    JoinConferenceDelegate(Conferences conferences) {
        this.conferences = conferences;
    }

    @Override
    public void execute(DelegateExecution execution) {
        var callId = CallVariables.callId(execution);
        String room = CallVariables.text(execution, "conferenceRoom", "conference-" + callId.value());
        boolean muted = CallVariables.flag(execution, "muted", false);
        String callerLeg = CallVariables.requiredText(execution, CallEventCorrelator.CALLER_LEG);
        if (!Conferences.ROOM_NAME.matcher(room).matches()) {
            throw new IllegalArgumentException("conferenceRoom '" + room + "' must be letters, digits, '.', '_' or"
                    + " '-' (at most 64)");
        }
        // On the instance: the task's own input mapping would otherwise keep the result local to the task.
        execution.getProcessInstance().setVariable("conferenceRoom", room);
        // The mixer needs the caller's leg, which exists only once this transaction has committed.
        AfterCommit.run(() -> conferences.joinCaller(callId, callerLeg, room, muted, "flow"));
    }
}
