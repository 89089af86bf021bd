package io.callflow.api;

/** A request for something that does not exist; answered with 404 and the message. */
class NotFoundException extends RuntimeException {

    NotFoundException(String message) {
        super(message);
    }
}
