package io.callflow.call;

import java.time.Instant;

/**
 * The set of reachable contacts of a registered user (an agent's SIP user) changed; {@code contacts} is how many are
 * live now, so zero means the user can no longer be reached.
 */
public record RegistrationChanged(String user, int contacts, Instant at) {
}
