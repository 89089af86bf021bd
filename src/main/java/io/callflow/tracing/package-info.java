/**
 * OpenTelemetry traces for operators, off by default: one trace per call from the INVITE through the flow's activities,
 * the routing decision and the ACD's decisions, hooked in at the seams the other modules already have (call events, a
 * process engine plugin, the routing and distribution ports).
 */
package io.callflow.tracing;
