package io.callflow.acd;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.call.CallId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Leave-when-empty: when an agent logs out or pauses and that leaves one of their leave-when-empty queues without a
 * logged-in member, the calls waiting there leave it (queue log EXITEMPTY) and their flows are told
 * ({@link QueueLeft}), so nobody waits for agents who are not there.
 */
@Component
class EmptyQueueWatcher {

    private static final Logger log = LoggerFactory.getLogger(EmptyQueueWatcher.class);

    private final JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final QueueLog queueLog;
    private final ApplicationEventPublisher events;
    private final java.util.concurrent.ExecutorService thread = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "acd-empty-queues");
                t.setDaemon(true);
                return t;
            });

    EmptyQueueWatcher(JdbcTemplate jdbc, TransactionTemplate tx, QueueLog queueLog, ApplicationEventPublisher events) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.queueLog = queueLog;
        this.events = events;
    }

    @EventListener
    void on(AgentStateChanged change) {
        if (change.to() == AgentState.OFFLINE || change.to() == AgentState.PAUSED) {
            // The event arrives as the agent's change commits; the check runs in a transaction of its own.
            thread.execute(() -> {
                try {
                    check(change);
                } catch (RuntimeException e) {
                    log.error("Leave-when-empty check after agent {} left failed", change.agentId(), e);
                }
            });
        }
    }

    private void check(AgentStateChanged change) {
        List<String> emptied = jdbc.queryForList("select q.name from call_queue q join queue_member m on"
                + " m.queue_name = q.name where m.agent_id = ? and q.leave_when_empty and not exists (select 1 from"
                + " queue_member o join agent a on a.id = o.agent_id where o.queue_name = q.name and a.registered"
                + " and a.enabled and a.state not in ('OFFLINE', 'PAUSED'))", String.class, change.agentId());
        for (String queue : emptied) {
            tx.executeWithoutResult(status -> {
                List<Map<String, Object>> waiting = jdbc.queryForList("select call_id from queue_entry where"
                        // A callback keeps its place: it waits for agents who come back, not for the caller.
                        + " queue_name = ? and state in ('WAITING', 'HELD') and kind = 'CALL' for update", queue);
                for (Map<String, Object> row : waiting) {
                    String callId = (String) row.get("call_id");
                    jdbc.update("delete from queue_entry where call_id = ?", callId);
                    queueLog.write(callId, queue, null, "EXITEMPTY", null, null, null);
                    AfterCommit.run(() -> events.publishEvent(new QueueLeft(new CallId(callId), queue, "EXITEMPTY",
                            Instant.now())));
                }
                if (!waiting.isEmpty()) {
                    log.info("Queue {} has no agent logged in any more; {} waiting call(s) move on", queue,
                            waiting.size());
                }
            });
        }
    }
}
