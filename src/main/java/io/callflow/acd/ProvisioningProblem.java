package io.callflow.acd;

/** A provisioning entry that was skipped: the file, the line the entry starts on, and what is wrong with it. */
public record ProvisioningProblem(String file, int line, String message) {

    @Override
    public String toString() {
        return file + ":" + line + ": " + message;
    }
}
