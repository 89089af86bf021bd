package io.callflow.call;

import java.util.Optional;

/** Maps a dialled number (DID) to the key of the flow (BPMN process) that handles calls to it. */
public interface DialPlan {

    /** The flow key for {@code did}, or empty when the number is not ours (the SIP layer answers 404). */
    Optional<String> flowFor(String did);
}
