package io.callflow.events;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.stream.Collectors;

/**
 * One HTTP POST of one or more events to a subscription's URL, signed (docs/webhooks.md, "Headers"). Redirects are
 * not followed: a receiver must answer at the URL it was registered with, and a redirect is how an outside host would
 * point Callflow at an inside one.
 */
class WebhookSender {

    static final String EVENT_ID = "Callflow-Event-Id";
    static final String EVENT_TYPE = "Callflow-Event-Type";
    static final String TIMESTAMP = "Callflow-Timestamp";
    static final String SIGNATURE = "Callflow-Signature";

    private final HttpClient client;
    private final Duration requestTimeout;
    private final WebhookTargets targets;
    private final Clock clock;

    WebhookSender(HttpClient client, Duration requestTimeout, WebhookTargets targets, Clock clock) {
        this.client = client;
        this.requestTimeout = requestTimeout;
        this.targets = targets;
        this.clock = clock;
    }

    /** What one request got: an HTTP status, or an error where there was none (timeout, refused, bad target). */
    record Outcome(Integer status, String error) {

        boolean delivered() {
            return status != null && status >= 200 && status < 300;
        }
    }

    /** Sends the claimed deliveries as one request: the envelope alone for one, a JSON array for several. */
    Outcome send(WebhookSubscriptions.Target target, List<WebhookDeliveries.Claimed> batch, boolean asArray) {
        String body = asArray ? batch.stream().map(WebhookDeliveries.Claimed::payload)
                .collect(Collectors.joining(",", "[", "]")) : batch.get(0).payload();
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        String ids = batch.stream().map(claimed -> claimed.eventId().toString()).collect(Collectors.joining(", "));
        String types = String.join(", ", batch.stream().map(WebhookDeliveries.Claimed::eventType)
                .collect(Collectors.toCollection(LinkedHashSet::new)));
        try {
            URI uri = targets.check(target.url());
            HttpRequest request = HttpRequest.newBuilder(uri).timeout(requestTimeout)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "Callflow-Webhooks/1")
                    .header(EVENT_ID, ids)
                    .header(EVENT_TYPE, types)
                    .header(TIMESTAMP, Long.toString(timestamp))
                    .header(SIGNATURE, WebhookSignature.sign(target.secret(), timestamp, bytes))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(bytes)).build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            return new Outcome(response.statusCode(), null);
        } catch (WebhookRefused e) {
            return new Outcome(null, e.getMessage());
        } catch (IOException e) {
            return new Outcome(null, describe(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(null, "interrupted: Callflow is stopping");
        }
    }

    private static String describe(IOException e) {
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return text.length() > 500 ? text.substring(0, 500) : text;
    }
}
