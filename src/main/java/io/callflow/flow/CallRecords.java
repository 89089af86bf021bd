package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.Date;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.call.CallId;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Writes the call record (table {@code call_record}) from a call flow's variables: who called which number, the
 * queue, the agent who answered, why the call ended and which routing rules decided where it went. Opening and
 * closing a record are announced in the same transaction ({@link CallRecordOpened}, {@link CallRecordClosed}).
 */
@Component
class CallRecords {

    static final String OUTCOME = "outcome";
    /** Set when a call is ended because its signalling was lost (e.g. NODE_LOST): the record's outcome. */
    static final String LOST_OUTCOME = "lostOutcome";

    private final JdbcTemplate jdbc;
    private final Clock clock;
    private final String node;
    private final ApplicationEventPublisher events;

    CallRecords(JdbcTemplate jdbc, Clock clock, @Value("${callflow.node-id:local}") String node,
            ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.clock = clock;
        this.node = node;
        this.events = events;
    }

    void started(DelegateExecution call, String flowKey) {
        if (call.getBusinessKey() == null) {
            // Not a call: a process started by a timer or a message without a business key (a report, a clean-up).
            return;
        }
        Instant now = clock.instant();
        String caller = CallVariables.text(call, "caller", "");
        String did = CallVariables.text(call, "did", "");
        String trunk = CallVariables.text(call, "trunk", null);
        jdbc.update("insert into call_record (call_id, caller, did, trunk, flow_key, started_at, owner_node)"
                + " values (?,?,?,?,?,?,?)", call.getBusinessKey(), caller, did, trunk, flowKey, Timestamp.from(now),
                node);
        events.publishEvent(new CallRecordOpened(new CallId(call.getBusinessKey()), caller, did, trunk, flowKey, now,
                false));
    }

    /**
     * Closes the record of a call no flow runs (click-to-call, a call an agent placed) with its agent, in the caller's
     * transaction, and announces it; returns whether it was still open.
     */
    boolean closeWithoutFlow(CallId callId, String outcome, String hangupCause, String agent) {
        Instant now = clock.instant();
        if (jdbc.update("update call_record set ended_at = ?, outcome = ?, hangup_cause = ?, agent = ?"
                + " where call_id = ? and ended_at is null", Timestamp.from(now), outcome, hangupCause, agent,
                callId.value()) == 0) {
            return false;
        }
        Map<String, Object> record = jdbc.queryForMap("select caller, did, answered_at from call_record"
                + " where call_id = ?", callId.value());
        events.publishEvent(new CallRecordClosed(callId, outcome, hangupCause, (String) record.get("caller"),
                (String) record.get("did"), null, agent, record.get("answered_at") instanceof Timestamp at
                        ? at.toInstant() : null, now));
        return true;
    }

    /** Closes a record whose flow is gone without closing it; returns whether a record was still open. */
    boolean closeLost(String callId, String outcome) {
        Instant now = clock.instant();
        boolean closed = jdbc.update("update call_record set ended_at = ?, outcome = ?, hangup_cause = ? where"
                + " call_id = ? and ended_at is null", Timestamp.from(now), outcome, outcome, callId) > 0;
        if (closed) {
            List<Map<String, Object>> record = jdbc.queryForList("select caller, did, queue_name, agent, answered_at"
                    + " from call_record where call_id = ?", callId);
            Map<String, Object> row = record.isEmpty() ? Map.of() : record.get(0);
            events.publishEvent(new CallRecordClosed(new CallId(callId), outcome, outcome, (String) row.get("caller"),
                    (String) row.get("did"), (String) row.get("queue_name"), (String) row.get("agent"),
                    row.get("answered_at") instanceof Timestamp at ? at.toInstant() : null, now));
        }
        return closed;
    }

    void ended(DelegateExecution call) {
        if (call.getBusinessKey() == null) {
            return;
        }
        String lost = CallVariables.text(call, LOST_OUTCOME, null);
        String outcome = lost != null ? lost
                : call.isCanceled() ? "CANCELLED" : CallVariables.text(call, OUTCOME, "ENDED");
        Object connectedAt = call.getVariable("connectedAt");
        Instant now = clock.instant();
        Instant answeredAt = connectedAt instanceof Date date ? date.toInstant() : null;
        String queue = CallVariables.text(call, "queue", null);
        String agent = CallVariables.text(call, "connectedAgent", null);
        String hangupCause = CallVariables.text(call, "hangupCause", null);
        jdbc.update("""
                update call_record set ended_at = ?, outcome = ?, answered_at = ?, queue_name = ?, agent = ?,
                  menu_choice = ?, routing_rules = ?, offer_attempts = ?, hangup_cause = ?, language = ?
                where call_id = ?""",
                Timestamp.from(now), outcome, answeredAt == null ? null : Timestamp.from(answeredAt), queue, agent,
                CallVariables.text(call, "menuChoice", null), truncate(CallVariables.text(call, "routingRules", null)),
                CallVariables.number(call, "offerAttempts", 0), hangupCause,
                CallVariables.text(call, CallLanguages.LANGUAGE, null), call.getBusinessKey());
        events.publishEvent(new CallRecordClosed(new CallId(call.getBusinessKey()), outcome, hangupCause,
                CallVariables.text(call, "caller", null), CallVariables.text(call, "did", null), queue, agent,
                answeredAt, now));
    }

    private static String truncate(String text) {
        return text == null || text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
    }
}
