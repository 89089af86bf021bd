package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Date;

import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the call record (table {@code call_record}) from a call flow's variables: who called which number, the
 * queue, the agent who answered, why the call ended and which routing rules decided where it went.
 */
@Component
class CallRecords {

    static final String OUTCOME = "outcome";
    /** Set when a call is ended because its signalling was lost (e.g. NODE_LOST): the record's outcome. */
    static final String LOST_OUTCOME = "lostOutcome";

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String node;

    CallRecords(JdbcTemplate jdbc, Clock clock, @Value("${callflow.node-id:local}") String node) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.node = node;
    }

    void started(DelegateExecution call, String flowKey) {
        if (call.getBusinessKey() == null) {
            // Not a call: a process started by a timer or a message without a business key (a report, a clean-up).
            return;
        }
        jdbc.update("insert into call_record (call_id, caller, did, trunk, flow_key, started_at, owner_node)"
                + " values (?,?,?,?,?,?,?)", call.getBusinessKey(), CallVariables.text(call, "caller", ""),
                CallVariables.text(call, "did", ""), CallVariables.text(call, "trunk", null), flowKey,
                Timestamp.from(clock.instant()), node);
    }

    /** Closes a record whose flow is gone without closing it; returns whether a record was still open. */
    boolean closeLost(String callId, String outcome) {
        return jdbc.update("update call_record set ended_at = ?, outcome = ?, hangup_cause = ? where call_id = ?"
                + " and ended_at is null", Timestamp.from(clock.instant()), outcome, outcome, callId) > 0;
    }

    void ended(DelegateExecution call) {
        if (call.getBusinessKey() == null) {
            return;
        }
        String lost = CallVariables.text(call, LOST_OUTCOME, null);
        String outcome = lost != null ? lost
                : call.isCanceled() ? "CANCELLED" : CallVariables.text(call, OUTCOME, "ENDED");
        Object connectedAt = call.getVariable("connectedAt");
        jdbc.update("""
                update call_record set ended_at = ?, outcome = ?, answered_at = ?, queue_name = ?, agent = ?,
                  menu_choice = ?, routing_rules = ?, offer_attempts = ?, hangup_cause = ?
                where call_id = ?""",
                Timestamp.from(clock.instant()), outcome,
                connectedAt instanceof Date date ? new Timestamp(date.getTime()) : null,
                CallVariables.text(call, "queue", null), CallVariables.text(call, "connectedAgent", null),
                CallVariables.text(call, "menuChoice", null), truncate(CallVariables.text(call, "routingRules", null)),
                CallVariables.number(call, "offerAttempts", 0), CallVariables.text(call, "hangupCause", null),
                call.getBusinessKey());
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
    }
}
