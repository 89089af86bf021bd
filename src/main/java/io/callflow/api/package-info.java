/** The HTTP surface: REST API, security for it and for Camunda's REST API, and serving {@code ui/}. */
package io.callflow.api;
