package io.callflow.flow;

import java.sql.Timestamp;
import java.time.Clock;
import java.util.List;

import io.callflow.acd.RecordingPolicies;
import io.callflow.acd.RecordingPolicy;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * A call's recording under its queue's {@link RecordingPolicy}: started by the flow (policy {@code always}) or on
 * demand (API, the agent's feature code), refused under {@code never}, preceded by the consent announcement where the
 * queue asks for one; paused and resumed with each paused span kept in {@code recording_pause} and the call's
 * timeline. One row in {@code call_recording} per recorded call, which the retention job reads.
 */
@Service
public class CallRecordings {

    /** The prompt played to the caller before a recording starts, when the queue asks for consent. */
    static final String CONSENT_PROMPT = "recording-consent";

    private static final Logger log = LoggerFactory.getLogger(CallRecordings.class);

    private final CallControl callControl;
    private final RecordingPolicies policies;
    private final JdbcTemplate jdbc;
    private final RuntimeService runtime;
    private final Clock clock;

    CallRecordings(CallControl callControl, RecordingPolicies policies, JdbcTemplate jdbc, RuntimeService runtime,
            Clock clock) {
        this.callControl = callControl;
        this.policies = policies;
        this.jdbc = jdbc;
        this.runtime = runtime;
        this.clock = clock;
    }

    /**
     * The flow's Record task: starts recording when the queue records {@code always}; does nothing under
     * {@code never} and {@code on-demand}. Returns whether it started. Runs in the task's transaction; the call layer
     * is commanded after the commit.
     */
    boolean startFromFlow(CallId callId, String queue, String language) {
        RecordingPolicy policy = policies.of(queue);
        if (policy.mode() != RecordingPolicy.Mode.ALWAYS) {
            log.info("Call {}: not recorded by the flow (queue {} records {})", callId, queue, policy.mode().text());
            return false;
        }
        begin(callId, policy, language, "flow");
        return true;
    }

    /** Starts recording on demand; refused when the call's queue never records. */
    public void start(String callId, String actor) {
        ProcessInstance instance = instance(callId);
        Object queue = instance == null ? null : runtime.getVariable(instance.getId(), "queue");
        RecordingPolicy policy = policies.of(queue != null ? queue.toString() : queueOf(callId));
        if (policy.mode() == RecordingPolicy.Mode.NEVER) {
            throw new CallCommandRefused("Call '" + callId + "' is in queue '" + policy.queue()
                    + "', whose recording policy is never");
        }
        Object language = instance == null ? null : runtime.getVariable(instance.getId(), CallLanguages.LANGUAGE);
        begin(new CallId(callId), policy, language == null ? null : language.toString(), actor);
    }

    /** Stops the recording; the file stays. */
    public void stop(String callId, String actor) {
        resume(callId, actor);
        callControl.stopRecording(new CallId(callId));
    }

    /** Pauses the recording (silence in the file) and opens a paused span; a second pause changes nothing. */
    public void pause(String callId, String actor) {
        Integer open = jdbc.queryForObject("select count(*) from recording_pause where call_id = ?"
                + " and resumed_at is null", Integer.class, callId);
        if (open == 0) {
            jdbc.update("insert into recording_pause (call_id, paused_at, paused_by) values (?,?,?)", callId,
                    Timestamp.from(clock.instant()), actor);
        }
        AfterCommit.run(() -> callControl.pauseRecording(new CallId(callId)));
    }

    /** Resumes a paused recording and closes its paused span; safe when nothing is paused. */
    public void resume(String callId, String actor) {
        jdbc.update("update recording_pause set resumed_at = ?, resumed_by = ? where call_id = ? and resumed_at is null",
                Timestamp.from(clock.instant()), actor, callId);
        AfterCommit.run(() -> callControl.resumeRecording(new CallId(callId)));
    }

    /** Whether the call has a recording (started, whatever its state now). */
    public boolean recorded(String callId) {
        return jdbc.queryForObject("select count(*) from call_recording where call_id = ? and deleted_at is null",
                Integer.class, callId) > 0;
    }

    /** The spans the call's recording was paused, in order. */
    public List<PausedSpan> pauses(String callId) {
        return jdbc.query("select paused_at, paused_by, resumed_at, resumed_by from recording_pause where call_id = ?"
                + " order by id", (rs, row) -> new PausedSpan(rs.getTimestamp(1).toInstant(), rs.getString(2),
                        rs.getTimestamp(3) == null ? null : rs.getTimestamp(3).toInstant(), rs.getString(4)), callId);
    }

    private void begin(CallId callId, RecordingPolicy policy, String language, String actor) {
        if (jdbc.update("update call_recording set started_by = started_by where call_id = ?", callId.value()) == 0) {
            jdbc.update("insert into call_recording (call_id, queue_name, started_at, started_by) values (?,?,?,?)",
                    callId.value(), policy.queue(), Timestamp.from(clock.instant()), actor);
        }
        if (policy.consent()) {
            AfterCommit.run(() -> callControl.startRecordingAfter(callId, CONSENT_PROMPT, language));
        } else {
            AfterCommit.run(() -> callControl.startRecording(callId));
        }
    }

    /** The call's queue, or null: a call that never queued (click-to-call, an internal call) has a null column. */
    private String queueOf(String callId) {
        List<String> queues = jdbc.queryForList("select queue_name from call_record where call_id = ?", String.class,
                callId);
        return queues.isEmpty() ? null : queues.get(0);
    }

    private ProcessInstance instance(String callId) {
        return runtime.createProcessInstanceQuery().processInstanceBusinessKey(callId).active().listPage(0, 1).stream()
                .findFirst().orElse(null);
    }

    /** A span a recording was paused: who paused it and when, who resumed it and when (null while it lasts). */
    public record PausedSpan(java.time.Instant pausedAt, String pausedBy, java.time.Instant resumedAt,
            String resumedBy) {
    }
}
