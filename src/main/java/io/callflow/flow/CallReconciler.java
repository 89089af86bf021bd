package io.callflow.flow;

import java.time.Clock;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.callflow.acd.Agents;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.platform.DatabaseAvailability;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Keeps the invariant that no agent is reserved, ringing or talking, no call waits in a queue and no flow waits for a
 * caller, without a live call that can still end it. At start-up it ends every call this node owned before it stopped
 * (their dialogs and media died with the JVM; outcome {@code NODE_LOST}); while running, a sweep ends calls that have
 * lost their signalling (an event dropped after a long database outage, say; outcome {@code CALL_LOST}) once they are
 * seen in that state twice in a row, so a call between two steps is never taken for lost. The selection is by owner
 * node, so the same routine can end a dead node's calls on a survivor.
 */
@Component
class CallReconciler implements ApplicationRunner, AutoCloseable {

    static final String NODE_LOST = "NODE_LOST";
    static final String CALL_LOST = "CALL_LOST";
    private static final Logger log = LoggerFactory.getLogger(CallReconciler.class);

    private final JdbcTemplate jdbc;
    private final CallControl callControl;
    private final CallLanes lanes;
    private final LostCalls lostCalls;
    private final DatabaseAvailability database;
    private final CallReconciliationSettings settings;
    private final String node;
    private final Instant started;
    private final ScheduledExecutorService sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "call-reconciler");
        t.setDaemon(true);
        return t;
    });
    /** Calls seen without signalling by the last sweep: lost if the next sweep sees them so again. */
    private Set<String> suspects = Set.of();

    CallReconciler(JdbcTemplate jdbc, CallControl callControl, CallLanes lanes, LostCalls lostCalls,
            DatabaseAvailability database, CallReconciliationSettings settings,
            @Value("${callflow.node-id:local}") String node, Clock clock) {
        this.jdbc = jdbc;
        this.callControl = callControl;
        this.lanes = lanes;
        this.lostCalls = lostCalls;
        this.database = database;
        this.settings = settings;
        this.node = node;
        this.started = clock.instant();
    }

    @Override
    public void run(ApplicationArguments args) {
        if (settings.reconcileAtStart()) {
            int ended = endAll(withoutSignalling(), NODE_LOST);
            if (ended > 0) {
                log.warn("Start-up: {} call(s) of node '{}' died with its previous run and were ended ({})", ended,
                        node, NODE_LOST);
            }
        }
        long every = settings.sweepInterval().toMillis();
        if (every > 0) {
            sweeper.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /** One pass of the running sweep; package-visible for tests. */
    synchronized void sweep() {
        if (!database.available()) {
            return;
        }
        try {
            Set<String> now = withoutSignalling();
            Set<String> lost = new LinkedHashSet<>();
            Set<String> olderThanThisRun = startedBefore(now, started);
            for (String callId : now) {
                if (suspects.contains(callId) || olderThanThisRun.contains(callId)) {
                    lost.add(callId);
                }
            }
            now.removeAll(lost);
            suspects = now;
            for (String callId : lost) {
                endQuietly(callId, olderThanThisRun.contains(callId) ? NODE_LOST : CALL_LOST);
            }
        } catch (RuntimeException e) {
            if (!database.reportIfOutage(e)) {
                log.error("Call reconciliation failed: {}", e.toString(), e);
            }
        }
    }

    private int endAll(Set<String> callIds, String outcome) {
        int ended = 0;
        for (String callId : callIds) {
            ended += endQuietly(callId, outcome) ? 1 : 0;
        }
        return ended;
    }

    private boolean endQuietly(String callId, String outcome) {
        try {
            lostCalls.end(new CallId(callId), outcome);
            return true;
        } catch (RuntimeException e) {
            if (!database.reportIfOutage(e)) {
                log.error("Call {}: could not be ended as {}: {}", callId, outcome, e.toString(), e);
            }
            return false;
        }
    }

    /**
     * Calls of this node that hold something (a queue place, an agent, a flow waiting for the caller, an open record
     * without a flow) while the node carries no signalling for them and their lane has no work.
     */
    private Set<String> withoutSignalling() {
        Set<String> candidates = new LinkedHashSet<>(jdbc.queryForList("""
                select call_id from queue_entry where kind = 'CALL'
                union select current_call from agent
                  where current_call is not null and state in ('RESERVED', 'RINGING', 'ON_CALL')
                union select e.business_key_ from act_ru_event_subscr s join act_ru_execution e on e.id_ = s.proc_inst_id_
                  where s.event_name_ = ? and e.business_key_ is not null
                union select r.call_id from call_record r where r.ended_at is null
                  and (r.owner_node = ? or r.owner_node is null)
                  and not exists (select 1 from act_ru_execution e where e.business_key_ = r.call_id)""",
                String.class, FlowMessages.CALLER_HUNG_UP, node));
        if (candidates.isEmpty()) {
            return candidates;
        }
        Set<String> otherNodes = new HashSet<>(jdbc.queryForList("select call_id from call_record"
                + " where ended_at is null and owner_node <> ?", String.class, node));
        // An agent held under a call's side key (a consultation's target, an internal call's called agent) lives and
        // dies with that call: judged by the call, ended by its own key (no record or flow of its own).
        candidates.removeIf(key -> {
            String callId = Agents.callOf(key);
            return otherNodes.contains(callId) || callControl.isLive(new CallId(callId))
                    || lanes.busy(new CallId(callId));
        });
        return candidates;
    }

    /** Of {@code callIds}, those whose record started before {@code instant} (they cannot be live in this run). */
    private Set<String> startedBefore(Set<String> callIds, Instant instant) {
        Set<String> older = new HashSet<>();
        if (callIds.isEmpty()) {
            return older;
        }
        jdbc.query("select call_id, started_at from call_record where ended_at is null and started_at < ?", rs -> {
            if (callIds.contains(rs.getString(1))) {
                older.add(rs.getString(1));
            }
        }, java.sql.Timestamp.from(instant));
        return older;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
