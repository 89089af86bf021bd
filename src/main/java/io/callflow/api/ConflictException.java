package io.callflow.api;

/** A request that the current state does not allow (an agent on a call cannot pause); answered with 409. */
class ConflictException extends RuntimeException {

    ConflictException(String message) {
        super(message);
    }
}
