package io.callflow.flow;

import io.callflow.call.MixRole;

/** How a supervisor takes part in a call: listens, whispers to the agent, or barges in (all three talk). */
public enum MonitorMode {
    LISTEN(MixRole.LISTENER), WHISPER(MixRole.WHISPERER), BARGE(MixRole.PARTICIPANT);

    private final MixRole role;

    MonitorMode(MixRole role) {
        this.role = role;
    }

    /** The supervisor's role in the call's mix. */
    MixRole role() {
        return role;
    }
}
