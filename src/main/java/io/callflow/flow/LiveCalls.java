package io.callflow.flow;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.history.HistoricActivityInstance;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The calls in progress: open call records with their queue place and agent (the ACD's rows) and where each flow
 * waits (Camunda's unfinished activity instances). Two engine queries for the whole list, not two per call.
 */
@Service
public class LiveCalls {

    // A connected call has left queue_entry: its queue is the one whose CONNECT it has in the queue log.
    private static final String SELECT = """
            select * from (
              select r.call_id, r.caller, r.did, r.started_at, r.owner_node,
                coalesce(q.queue_name, (select max(l.queue_name) from queue_log l where l.call_id = r.call_id
                  and l.event = 'CONNECT')) as queue_name,
                q.state as queue_state, coalesce(q.entered_at, (select min(l.event_time) from queue_log l
                  where l.call_id = r.call_id and l.event = 'ENTERQUEUE')) as entered_at, a.id as agent_id, a.state as agent_state, a.state_since
              from call_record r
                left join queue_entry q on q.call_id = r.call_id
                left join agent a on a.current_call = r.call_id
              where r.ended_at is null) live
            where 1 = 1""";

    private static final Comparator<HistoricActivityInstance> BY_START = Comparator.comparing(
            HistoricActivityInstance::getStartTime);

    private final JdbcTemplate jdbc;
    private final HistoryService history;

    LiveCalls(JdbcTemplate jdbc, HistoryService history) {
        this.jdbc = jdbc;
        this.history = history;
    }

    /** Every live call, oldest first, optionally only those of one queue and/or one agent. */
    public List<LiveCall> list(String queue, String agent) {
        StringBuilder sql = new StringBuilder(SELECT);
        List<Object> arguments = new ArrayList<>();
        if (queue != null) {
            sql.append(" and queue_name = ?");
            arguments.add(queue);
        }
        if (agent != null) {
            sql.append(" and agent_id = ?");
            arguments.add(agent);
        }
        sql.append(" order by started_at, call_id");
        List<Row> rows = jdbc.query(sql.toString(), LiveCalls::row, arguments.toArray());
        Map<String, HistoricActivityInstance> where = whereFlowsWait(rows);
        return rows.stream().map(row -> row.view(where.get(row.callId()))).toList();
    }

    /** One live call, if its record is still open. */
    public Optional<LiveCall> find(String callId) {
        List<Row> rows = jdbc.query(SELECT + " and call_id = ?", LiveCalls::row, callId);
        if (rows.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(rows.get(0).view(whereFlowsWait(rows).get(callId)));
    }

    /** The activity each call's flow entered last and has not left (the innermost wait: music, not the sub-process). */
    private Map<String, HistoricActivityInstance> whereFlowsWait(List<Row> rows) {
        if (rows.isEmpty()) {
            return Map.of();
        }
        String[] keys = rows.stream().map(Row::callId).toArray(String[]::new);
        Map<String, String> callByInstance = new HashMap<>();
        for (HistoricProcessInstance instance : history.createHistoricProcessInstanceQuery().unfinished()
                .processInstanceBusinessKeyIn(keys).list()) {
            callByInstance.put(instance.getId(), instance.getBusinessKey());
        }
        if (callByInstance.isEmpty()) {
            return Map.of();
        }
        var unfinished = history.createHistoricActivityInstanceQuery().unfinished();
        if (callByInstance.size() == 1) {
            unfinished.processInstanceId(callByInstance.keySet().iterator().next());
        }
        // Otherwise every unfinished activity (a few per live call): one query, however many calls are live.
        return unfinished.list().stream()
                .filter(activity -> callByInstance.containsKey(activity.getProcessInstanceId()))
                .filter(activity -> !activity.getActivityType().toLowerCase().contains("subprocess"))
                .collect(Collectors.toMap(activity -> callByInstance.get(activity.getProcessInstanceId()),
                        activity -> activity, (a, b) -> BY_START.compare(a, b) >= 0 ? a : b));
    }

    private static Row row(ResultSet rs, int row) throws SQLException {
        return new Row(rs.getString("call_id"), rs.getString("caller"), rs.getString("did"),
                instant(rs, "started_at"), rs.getString("owner_node"), rs.getString("queue_name"),
                rs.getString("queue_state"), instant(rs, "entered_at"), rs.getString("agent_id"),
                rs.getString("agent_state"), instant(rs, "state_since"));
    }

    private static Instant instant(ResultSet rs, String column) throws SQLException {
        Timestamp timestamp = rs.getTimestamp(column);
        return timestamp == null ? null : timestamp.toInstant();
    }

    /** A live call's rows before the flow's position is added. */
    private record Row(String callId, String caller, String did, Instant startedAt, String ownerNode, String queue,
            String queueState, Instant queuedAt, String agent, String agentState, Instant agentSince) {

        LiveCall view(HistoricActivityInstance activity) {
            boolean talking = "ON_CALL".equals(agentState);
            String state = talking ? "TALKING" : "OFFERED".equals(queueState) || agent != null ? "OFFERED"
                    : queue != null ? "QUEUED" : "IN_FLOW";
            return new LiveCall(callId, caller, did, state, activity == null ? null : activity.getActivityId(),
                    activity == null ? null : activity.getActivityName(), queue, agent, startedAt, queuedAt,
                    talking ? agentSince : null, ownerNode);
        }
    }
}
