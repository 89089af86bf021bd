package io.callflow.api;

import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The wrap-up codes an agent may give a call ({@code callflow.calls.dispositions}); the API refuses any other code, and
 * the agent desktop offers exactly these.
 */
@ConfigurationProperties("callflow.calls")
record DispositionProperties(
        @DefaultValue({"Resolved", "Callback requested", "Escalated", "Wrong number", "Sale", "No sale"})
        List<String> dispositions) {
}
