package io.callflow.flow;

/** An operator's command that the call's current state does not allow (answered 409 by the API, with the reason). */
public class CallCommandRefused extends RuntimeException {

    public CallCommandRefused(String message) {
        super(message);
    }
}
