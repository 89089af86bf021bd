package io.callflow.flow;

import java.time.Duration;

import io.callflow.call.CallId;
import org.camunda.bpm.engine.delegate.DelegateExecution;

/**
 * Reads what delegates need from an execution: the call id (the business key) and typed task inputs, failing with a
 * message that names the input an analyst got wrong.
 */
final class CallVariables {

    private CallVariables() {
    }

    static CallId callId(DelegateExecution execution) {
        return new CallId(execution.getProcessBusinessKey());
    }

    static String text(DelegateExecution execution, String name, String fallback) {
        Object value = execution.getVariable(name);
        return value == null || value.toString().isBlank() ? fallback : value.toString().trim();
    }

    static String requiredText(DelegateExecution execution, String name) {
        String value = text(execution, name, null);
        if (value == null) {
            throw new IllegalArgumentException(
                    "Task '" + execution.getCurrentActivityId() + "' needs the input '" + name + "'");
        }
        return value;
    }

    static int number(DelegateExecution execution, String name, int fallback) {
        String value = text(execution, name, null);
        try {
            return value == null ? fallback : Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Task '" + execution.getCurrentActivityId() + "': input '" + name
                    + "' must be a whole number, not '" + value + "'", e);
        }
    }

    static boolean flag(DelegateExecution execution, String name, boolean fallback) {
        String value = text(execution, name, null);
        return value == null ? fallback : Boolean.parseBoolean(value);
    }

    /** Durations as in BPMN timers (ISO 8601, {@code PT5S}) or plain seconds ({@code 5}). */
    static Duration duration(DelegateExecution execution, String name, Duration fallback) {
        String value = text(execution, name, null);
        if (value == null) {
            return fallback;
        }
        try {
            return value.chars().allMatch(Character::isDigit) ? Duration.ofSeconds(Long.parseLong(value))
                    : Duration.parse(value);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("Task '" + execution.getCurrentActivityId() + "': input '" + name
                    + "' must be seconds or an ISO 8601 duration such as PT5S, not '" + value + "'", e);
        }
    }
}
