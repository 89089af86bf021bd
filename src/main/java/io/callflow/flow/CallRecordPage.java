package io.callflow.flow;

import java.util.List;

/** A page of call records, newest first, with the number of records matching the search in all. */
public record CallRecordPage(List<CallRecordView> records, int page, int size, long total) {
}
