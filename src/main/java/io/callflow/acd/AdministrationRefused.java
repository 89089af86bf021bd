package io.callflow.acd;

/** An administration change that cannot be made as asked: the entry is missing, owned by the file, or in use. */
public class AdministrationRefused extends RuntimeException {

    /** Why the change was refused; the API maps each to its status. */
    public enum Reason { NOT_FOUND, OWNED_BY_FILE, IN_USE }

    private final Reason reason;

    AdministrationRefused(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
