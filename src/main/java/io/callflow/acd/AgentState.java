package io.callflow.acd;

import java.util.EnumSet;
import java.util.Set;

/** Where an agent is in the call cycle; {@link #canBecome} is the one place the allowed transitions are defined. */
public enum AgentState {
    OFFLINE, AVAILABLE, RESERVED, RINGING, ON_CALL, WRAP_UP, PAUSED;

    /** Whether an agent in this state may move to {@code next}. */
    public boolean canBecome(AgentState next) {
        return allowedNext().contains(next);
    }

    private Set<AgentState> allowedNext() {
        return switch (this) {
            case OFFLINE -> EnumSet.of(AVAILABLE, PAUSED);
            case AVAILABLE -> EnumSet.of(RESERVED, PAUSED, OFFLINE);
            case RESERVED -> EnumSet.of(RINGING, ON_CALL, AVAILABLE, PAUSED, OFFLINE);
            case RINGING -> EnumSet.of(ON_CALL, AVAILABLE, PAUSED, OFFLINE);
            case ON_CALL -> EnumSet.of(WRAP_UP);
            case WRAP_UP -> EnumSet.of(AVAILABLE, PAUSED, OFFLINE);
            case PAUSED -> EnumSet.of(AVAILABLE, OFFLINE);
        };
    }
}
