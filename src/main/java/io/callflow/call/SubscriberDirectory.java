package io.callflow.call;

import java.util.Optional;

/**
 * Who may register: the SIP layer asks this port for a user's stored digest credential (the ACD keeps agents and
 * their credentials).
 */
public interface SubscriberDirectory {

    /** The credential of an enabled user, or empty when the user is unknown or disabled. */
    Optional<DigestCredential> credential(String user);
}
