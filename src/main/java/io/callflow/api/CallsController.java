package io.callflow.api;

import java.time.Instant;

import io.callflow.flow.CallHistory;
import io.callflow.flow.CallPath;
import io.callflow.flow.CallPaths;
import io.callflow.flow.CallRecordPage;
import io.callflow.flow.CallRecordQuery;
import io.callflow.flow.CallRecordView;
import io.swagger.v3.oas.annotations.Operation;
import org.springframework.http.MediaType;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Call records: searched by time, caller, number dialled, queue, agent and outcome, or one by its call id.
 * Administrators and supervisors see every call; an agent only the calls it answered.
 */
@RestController
@RequestMapping(Api.V1 + "/calls")
class CallsController {

    static final int MAX_PAGE_SIZE = 500;

    private final CallHistory history;
    private final CallPaths paths;

    CallsController(CallHistory history, CallPaths paths) {
        this.history = history;
        this.paths = paths;
    }

    @Operation(summary = "Search call records, newest first",
            description = "Calls that started in [from, to) (ISO-8601 instants, both optional); `caller` matches any"
                    + " part of the caller's number, the other filters exactly. An agent sees only its own calls: its"
                    + " `agent` filter is its own id, and asking for another agent's calls is refused.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR') or (hasRole('AGENT') and (#agent == null"
            + " or #agent == authentication.name))")
    @GetMapping
    CallRecordPage search(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String caller, @RequestParam(required = false) String did,
            @RequestParam(required = false) String queue, @RequestParam(required = false) String agent,
            @RequestParam(required = false) String outcome, @RequestParam(defaultValue = "0") int page,
            @RequestParam(defaultValue = "50") int size, Authentication user) {
        Instant start = Interval.optional("from", from);
        Instant end = Interval.optional("to", to);
        Interval.requireOrdered(start, end);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        String agentFilter = Roles.isSupervisorOrAdmin(user) ? Paging.blankToNull(agent) : user.getName();
        return history.search(new CallRecordQuery(start, end, Paging.blankToNull(caller), Paging.blankToNull(did),
                Paging.blankToNull(queue), agentFilter, Paging.blankToNull(outcome), paging.page(), paging.size()));
    }

    @Operation(summary = "One call record", description = "An agent may read only the calls it answered.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping("/{callId}")
    CallRecordView one(@PathVariable String callId, Authentication user) {
        return history.find(callId)
                .filter(found -> Roles.isSupervisorOrAdmin(user) || user.getName().equals(found.agent()))
                // An agent learns nothing about calls it did not take, not even that they exist.
                .orElseThrow(() -> new NotFoundException("There is no call '" + callId + "'"));
    }

    @Operation(summary = "The call's path through its flow",
            description = "Every activity the call passed (BPMN element id, name, type, times), in order, from the"
                    + " engine's history, with the flow definition to draw it on (see /diagram). Live and finished"
                    + " calls alike. An agent may read only the calls it answered.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping("/{callId}/path")
    CallPath path(@PathVariable String callId, Authentication user) {
        one(callId, user);
        return paths.path(callId).orElseThrow(() -> new NotFoundException("Call '" + callId
                + "' has no flow history (it was refused before a flow started, or its history has expired)"));
    }

    @Operation(summary = "The BPMN 2.0 XML of the flow version the call ran",
            description = "For drawing the call's path (e.g. with bpmn-js). An agent may read only the calls it"
                    + " answered.")
    @PreAuthorize("hasAnyRole('ADMIN', 'SUPERVISOR', 'AGENT')")
    @GetMapping(value = "/{callId}/diagram", produces = MediaType.APPLICATION_XML_VALUE)
    byte[] diagram(@PathVariable String callId, Authentication user) {
        one(callId, user);
        return paths.diagram(callId).orElseThrow(() -> new NotFoundException("Call '" + callId
                + "' has no flow history"));
    }
}
