package io.callflow.api;

import java.nio.file.Path;
import java.util.List;

import io.callflow.flow.CallTimeline;
import io.callflow.flow.CallTimelines;
import io.callflow.flow.LiveCall;
import io.callflow.flow.LiveCalls;
import io.callflow.media.RecordingContent;
import io.callflow.media.RecordingFiles;
import io.callflow.media.RecordingUnreadable;
import io.swagger.v3.oas.annotations.Operation;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.InputStreamResource;
import org.springframework.core.io.Resource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Live calls, one call's timeline and its recording. Administrators and supervisors see every call; an agent only the
 * calls it is reserved for, ringing on or talking to (live), or answered (finished): another's call is refused (403).
 */
@RestController
@RequestMapping(Api.V1 + "/calls")
class LiveCallsController {

    static final MediaType WAV = MediaType.parseMediaType("audio/wav");

    private final LiveCalls live;
    private final CallAccess access;
    private final CallTimelines timelines;
    private final RecordingFiles recordings;
    private final AuditLog auditLog;

    LiveCallsController(LiveCalls live, CallAccess access, CallTimelines timelines, RecordingFiles recordings,
            AuditLog auditLog) {
        this.live = live;
        this.access = access;
        this.timelines = timelines;
        this.recordings = recordings;
        this.auditLog = auditLog;
    }

    @Operation(summary = "Calls in progress, oldest first",
            description = "Caller, number dialled, state (IN_FLOW, QUEUED, OFFERED, TALKING), where the flow waits"
                    + " (BPMN activity id and name), queue, agent, start/queued/answered times and the node that"
                    + " carries the call. Filters: `queue`, `agent`. An agent sees only its own calls: its `agent`"
                    + " filter is its own id, and asking for another agent's calls is refused.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and (#agent == null"
            + " or #agent == authentication.name))")
    @GetMapping("/live")
    List<LiveCall> live(@RequestParam(required = false) String queue, @RequestParam(required = false) String agent,
            Authentication user) {
        String agentFilter = Roles.isSupervisorOrAdmin(user) ? Paging.blankToNull(agent) : user.getName();
        return live.list(Paging.blankToNull(queue), agentFilter);
    }

    @Operation(summary = "The call's timeline",
            description = "Flow activities (with start and end, from the engine's history), queue events (ENTERQUEUE,"
                    + " RINGNOANSWER, CONNECT, COMPLETE, ...), offers (the agents' state changes for the call) and"
                    + " operators' actions (hang-up, transfer, recording, call data), in time order; live and finished"
                    + " calls alike. An agent may read only its own calls.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping("/{callId}/timeline")
    CallTimeline timeline(@PathVariable String callId, Authentication user) {
        access.requireVisible(callId, user);
        return timelines.timeline(callId).orElseThrow(() -> CallAccess.unknown(callId));
    }

    @Operation(summary = "Download the call's recording (WAV)",
            description = "8 kHz 16-bit PCM WAV, stereo (caller left, agent right) or mono as configured. A recording"
                    + " encrypted at rest is decrypted on the fly as it is sent (never to disk); one still being"
                    + " written, cut short or sealed with a key that is not configured is 409. Every download is"
                    + " written to the audit log (`recording.download`) with the user, the time and the call. An agent"
                    + " may download only its own calls' recordings. 404 when the call has none.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping(value = "/{callId}/recording", produces = "audio/wav")
    ResponseEntity<Resource> recording(@PathVariable String callId, Authentication user, HttpServletRequest request) {
        access.requireVisible(callId, user);
        Path file = recordings.of(callId).orElseThrow(() -> new NotFoundException("Call '" + callId
                + "' has no recording"));
        String range = request.getHeader(HttpHeaders.RANGE);
        String disposition = ContentDisposition.attachment().filename(callId + ".wav").build().toString();
        if (!recordings.encrypted(file)) {
            auditLog.record(user.getName(), "recording.download", callId, range == null ? "whole file" : range,
                    request.getRemoteAddr());
            return ResponseEntity.ok().contentType(WAV).header(HttpHeaders.CONTENT_DISPOSITION, disposition)
                    .body(new FileSystemResource(file));
        }
        RecordingContent content;
        try {
            content = recordings.decrypt(file);
        } catch (RecordingUnreadable e) {
            auditLog.record(user.getName(), "recording.download", callId, "refused: " + e.getMessage(),
                    request.getRemoteAddr());
            throw new ConflictException("Call '" + callId + "': " + e.getMessage());
        }
        // Decrypted as it streams; a range would need every chunk before it decrypted anyway (docs/recordings.md).
        auditLog.record(user.getName(), "recording.download", callId, "whole file, decrypted",
                request.getRemoteAddr());
        Resource body = new InputStreamResource(content.stream()) {
            @Override
            public long contentLength() {
                // Known from the chunk lengths; the default would read the stream to count.
                return content.length();
            }
        };
        return ResponseEntity.ok().contentType(WAV).contentLength(content.length())
                .header(HttpHeaders.CONTENT_DISPOSITION, disposition).body(body);
    }
}
