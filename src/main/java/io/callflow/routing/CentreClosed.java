package io.callflow.routing;

/** The centre is closed for this call (after hours, holiday); the flow takes its closed path. */
public record CentreClosed(String reason) {
}
