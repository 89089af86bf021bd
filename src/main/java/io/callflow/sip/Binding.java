package io.callflow.sip;

import java.time.Instant;

/** One registered contact of a user, with the source address and transport its REGISTER came from (RFC 3581). */
record Binding(String user, String contact, Instant expiresAt, String sourceHost, int sourcePort, String transport) {
}
