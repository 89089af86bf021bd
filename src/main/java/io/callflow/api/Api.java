package io.callflow.api;

/** Where Callflow's REST API lives: every operation is under one version prefix, described by its OpenAPI document. */
final class Api {

    /** The current version's prefix; a change that breaks clients gets a new one, and the old one stays a while. */
    static final String V1 = "/api/v1";

    private Api() {
    }
}
