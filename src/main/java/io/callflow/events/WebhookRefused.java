package io.callflow.events;

/** A webhook operation that cannot be done as asked: bad input, an unknown subscription or delivery, or a conflict. */
public class WebhookRefused extends RuntimeException {

    /** Why the operation was refused; the API maps each to its status. */
    public enum Reason { INVALID, NOT_FOUND, CONFLICT }

    private final Reason reason;

    WebhookRefused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }

    static WebhookRefused invalid(String message) {
        return new WebhookRefused(Reason.INVALID, message);
    }

    static WebhookRefused notFound(String message) {
        return new WebhookRefused(Reason.NOT_FOUND, message);
    }
}
