package io.callflow.acd;

import org.springframework.stereotype.Component;

/**
 * Writes an agent's transfer of a connected call to the queue log (event {@code TRANSFER}), so reports see who handed
 * the call to whom: data1 the target, data2 the agent who consulted, data3 how ({@code attended} or {@code warm}).
 */
@Component
public class TransferLog {

    private final QueueLog queueLog;

    TransferLog(QueueLog queueLog) {
        this.queueLog = queueLog;
    }

    /** Logs the transfer in the call's queue ({@code NONE} for a call that never queued, as Asterisk writes it). */
    public void transferred(String callId, String queue, String fromAgent, String target, String how) {
        queueLog.write(callId, queue == null ? "NONE" : queue, fromAgent, "TRANSFER", target, fromAgent, how);
    }

    /**
     * Logs that the agent moved the call into a conference room (event {@code CONFERENCE}: data1 the room, data2 the
     * agent), so reports see the call went on as a conference.
     */
    public void conferenced(String callId, String queue, String agent, String room) {
        queueLog.write(callId, queue == null ? "NONE" : queue, agent, "CONFERENCE", room, agent, null);
    }
}
