package io.callflow.api;

import io.callflow.flow.CallCommands;
import io.callflow.flow.CallHistory;
import io.callflow.flow.CallRecordView;
import io.callflow.flow.LiveCalls;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.stereotype.Component;

/**
 * Who may see and command a call through the live-call operations: administrators and supervisors every call, an
 * agent its own (live: it is the call's current agent; finished: it answered the call). 404 for an unknown call, 403
 * for another agent's.
 */
@Component
class CallAccess {

    private final CallHistory history;
    private final LiveCalls live;

    CallAccess(CallHistory history, LiveCalls live) {
        this.history = history;
        this.live = live;
    }

    /** The call's record, if the user may see the call. */
    CallRecordView requireVisible(String callId, Authentication user) {
        CallRecordView record = history.find(callId).orElseThrow(() -> unknown(callId));
        if (!Roles.isSupervisorOrAdmin(user) && !isOwn(record, user)) {
            throw new AccessDeniedException("Not the agent's call");
        }
        return record;
    }

    /**
     * The call's record, if the user may command the call now: it has not ended and this node carries it (409
     * otherwise; 404/403 as {@link #requireVisible}).
     */
    CallRecordView requireControllableHere(String callId, Authentication user, CallCommands commands) {
        CallRecordView record = requireVisible(callId, user);
        if (record.endedAt() != null) {
            throw new ConflictException("Call '" + callId + "' has ended");
        }
        if (!commands.isLiveHere(callId)) {
            throw new ConflictException("Call '" + callId + "' is not carried by this node (" + commands.node()
                    + ")");
        }
        return record;
    }

    private boolean isOwn(CallRecordView record, Authentication user) {
        if (user.getName().equals(record.agent())) {
            return true;
        }
        return record.endedAt() == null && live.find(record.callId())
                .map(call -> user.getName().equals(call.agent())).orElse(false);
    }

    static NotFoundException unknown(String callId) {
        return new NotFoundException("There is no call '" + callId + "'");
    }
}
