package io.callflow.api;

import java.time.Instant;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.security.access.AccessDeniedException;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The audit log for administrators: logins and changes, newest first, filtered by time, actor and action. */
@RestController
@RequestMapping(Api.V1 + "/audit")
class AuditController {

    static final int MAX_PAGE_SIZE = 500;

    private final AuditLog auditLog;

    AuditController(AuditLog auditLog) {
        this.auditLog = auditLog;
    }

    /** Role: ADMIN. {@code from} (inclusive) and {@code to} (exclusive) are ISO-8601 instants, both optional. */
    @GetMapping
    @PreAuthorize("hasRole('ADMIN')")
    AuditPage find(@RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        Instant start = Interval.optional("from", from);
        Instant end = Interval.optional("to", to);
        Interval.requireOrdered(start, end);
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return auditLog.find(start, end, Paging.blankToNull(actor), Paging.blankToNull(action), paging.page(),
                paging.size());
    }

    /** Here rather than in ApiErrors, whose catch-all would turn a refusal into a 500. */
    @ExceptionHandler(AccessDeniedException.class)
    ProblemDetail denied(AccessDeniedException e) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.FORBIDDEN, "Reading the audit log needs the ADMIN role");
    }
}
