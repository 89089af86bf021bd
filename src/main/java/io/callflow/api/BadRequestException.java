package io.callflow.api;

/** A request that cannot be served as sent; answered with 400 and the message. */
class BadRequestException extends RuntimeException {

    BadRequestException(String message) {
        super(message);
    }
}
