package io.callflow.routing;

/** One error the rule compiler found, with the file and line a rule author needs to fix it. */
public record RuleProblem(String file, int line, String message) {

    @Override
    public String toString() {
        return file + (line > 0 ? ":" + line : "") + ": " + message;
    }
}
