package io.callflow.flow;

import java.time.Instant;

/**
 * One call's record as the API shows it: who called which number, when it was answered and ended, where it went
 * (queue, agent, menu choice, the routing rules that decided) and why it ended; open calls have no {@code endedAt}.
 * {@code direction}: {@code inbound} from a trunk, {@code outbound} placed by an agent (click-to-call).
 * {@code disposition}/{@code dispositionNote}: the wrap-up code and note given to the call, if any; {@code language}:
 * the language the caller was served in (chosen in a language menu, or the number's default).
 */
public record CallRecordView(String callId, String caller, String did, String trunk, String flow, Instant startedAt,
        Instant answeredAt, Instant endedAt, String outcome, String hangupCause, String queue, String agent,
        String menuChoice, String routingRules, int offerAttempts, String ownerNode, String direction,
        String disposition, String dispositionNote, String language) {
}
