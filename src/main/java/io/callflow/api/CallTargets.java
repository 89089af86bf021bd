package io.callflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.callflow.acd.AdminKind;
import io.callflow.acd.Administration;

/**
 * Checks a party an operator asks to ring for a call (a consultation's target or a conference participant):
 * an existing agent, an existing queue, or a number (digits, optionally +, * and #; never a SIP URI).
 */
final class CallTargets {

    private CallTargets() {
    }

    /** The target, trimmed; a {@link BadRequestException} saying what is wrong otherwise. */
    static String check(String kind, JsonNode value, Administration administration) {
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw new BadRequestException("'" + kind + "' must be a non-empty string");
        }
        String target = value.asText().trim();
        switch (kind) {
            case "number" -> {
                if (!CallCommandsController.TRANSFER_TARGET.matcher(target).matches() || target.startsWith("sip")) {
                    throw new BadRequestException("'number' must be digits (optionally +, * and #, at most 32)");
                }
            }
            case "queue" -> {
                if (administration.find(AdminKind.QUEUES, target).isEmpty()) {
                    throw new BadRequestException("There is no queue '" + target + "'");
                }
            }
            case "agent" -> {
                if (administration.find(AdminKind.AGENTS, target).isEmpty()) {
                    throw new BadRequestException("There is no agent '" + target + "'");
                }
            }
            default -> throw new BadRequestException("Unknown target '" + kind + "': use 'agent', 'queue' or"
                    + " 'number'");
        }
        return target;
    }
}
