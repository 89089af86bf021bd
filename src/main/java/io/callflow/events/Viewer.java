package io.callflow.events;

/**
 * Who watches a live stream: the authenticated user and whether its role sees everything (ADMIN, SUPERVISOR). Any
 * other viewer is an agent whose agent id is its user name and sees only what concerns it (docs/events.md, "Roles").
 */
public record Viewer(String user, boolean seesEverything) {
}
