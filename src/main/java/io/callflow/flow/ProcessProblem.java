package io.callflow.flow;

/** Why a BPMN file from {@code processes/} was not deployed, with the line an analyst needs to look at. */
public record ProcessProblem(String file, int line, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
