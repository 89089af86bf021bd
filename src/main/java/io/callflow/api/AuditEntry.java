package io.callflow.api;

import java.time.Instant;

/** One row of the audit log as {@code GET /api/v1/audit} shows it. */
record AuditEntry(long id, Instant at, String actor, String action, String target, String detail,
        String sourceAddress, String outcome) {
}
