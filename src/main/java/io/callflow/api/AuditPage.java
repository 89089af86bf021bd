package io.callflow.api;

import java.util.List;

/** A page of audit entries, newest first, with the number of entries matching the query in all. */
record AuditPage(List<AuditEntry> entries, int page, int size, long total) {
}
