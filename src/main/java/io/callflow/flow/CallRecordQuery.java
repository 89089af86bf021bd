package io.callflow.flow;

import java.time.Instant;

/**
 * A search of call records: calls that started in [from, to), optionally narrowed to a caller (any part of the
 * number), a dialled number, a queue, an agent or an outcome (exact); one page of them, newest first. Null fields do
 * not narrow the search.
 */
public record CallRecordQuery(Instant from, Instant to, String caller, String did, String queue, String agent,
        String outcome, int page, int size) {

    public CallRecordQuery {
        if (page < 0 || size < 1) {
            throw new IllegalArgumentException("page must be 0 or more and size 1 or more, not " + page + "/" + size);
        }
    }
}
