package io.callflow.acd;

import java.util.Arrays;

/** The kinds of ACD configuration an administrator manages: the provisioning file's sections, and their tables. */
public enum AdminKind {
    SKILLS("skills", "skill", "name"),
    AGENTS("agents", "agent", "id"),
    CALENDARS("calendars", "business_calendar", "name"),
    QUEUES("queues", "call_queue", "name"),
    DIDS("dids", "did_route", "did");

    private final String section;
    private final String table;
    private final String keyColumn;

    AdminKind(String section, String table, String keyColumn) {
        this.section = section;
        this.table = table;
        this.keyColumn = keyColumn;
    }

    /** The provisioning file's section and the API's path segment. */
    public String section() {
        return section;
    }

    /** The field of an entry that names it ({@code name}, {@code id}, {@code did}), as in the provisioning file. */
    public String keyField() {
        return this == DIDS ? "did" : keyColumn;
    }

    String table() {
        return table;
    }

    String keyColumn() {
        return keyColumn;
    }

    public static AdminKind of(String section) {
        return Arrays.stream(values()).filter(kind -> kind.section.equals(section)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("'" + section
                        + "' is not one of skills, agents, calendars, queues, dids"));
    }
}
