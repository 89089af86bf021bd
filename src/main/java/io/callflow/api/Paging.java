package io.callflow.api;

/** A page of a list that can grow (call records, the audit log): {@code page} from 0, {@code size} bounded. */
record Paging(int page, int size) {

    static Paging of(int page, int size, int maxSize) {
        if (page < 0) {
            throw new BadRequestException("'page' must be 0 or more, not " + page);
        }
        if (size < 1 || size > maxSize) {
            throw new BadRequestException("'size' must be between 1 and " + maxSize + ", not " + size);
        }
        return new Paging(page, size);
    }

    /** A filter parameter sent empty ({@code ?agent=}) narrows nothing, like one not sent. */
    static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text;
    }
}
