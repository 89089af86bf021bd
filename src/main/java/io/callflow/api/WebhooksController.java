package io.callflow.api;

import java.util.List;
import java.util.Locale;

import io.callflow.events.WebhookDelivery;
import io.callflow.events.WebhookDeliveryPage;
import io.callflow.events.WebhookRefused;
import io.callflow.events.WebhookRequest;
import io.callflow.events.WebhookSubscription;
import io.callflow.events.Webhooks;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.access.prepost.PreAuthorize;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Webhook subscriptions and their deliveries (docs/webhooks.md). Administrators only: a subscription's URL may carry a
 * receiver's token and its deliveries carry call data, so supervisors do not read them either.
 */
@RestController
@RequestMapping(Api.V1 + "/webhooks")
class WebhooksController {

    static final int MAX_PAGE_SIZE = 500;

    private final Webhooks webhooks;

    WebhooksController(Webhooks webhooks) {
        this.webhooks = webhooks;
    }

    @Operation(summary = "Subscribe a URL to events",
            description = "`url` (absolute http/https, no user info), `eventTypes` (list, or `[\"*\"]`), optional"
                    + " `queue`, `secret` (16-128 printable characters; made by the server when left out), `active`"
                    + " (default true), `batchSize` (1 = one event per request, more = a JSON array of up to that"
                    + " many). 201 with the subscription and its `secret`, the only time the secret is shown.")
    @PreAuthorize("hasRole('ADMIN')")
    @PostMapping
    ResponseEntity<WebhookSubscription> create(@RequestBody WebhookRequest request, Authentication user) {
        return ResponseEntity.status(HttpStatus.CREATED).body(webhooks.create(request, user.getName()));
    }

    @Operation(summary = "List subscriptions", description = "Without secrets.")
    @PreAuthorize("hasRole('ADMIN')")
    @GetMapping
    List<WebhookSubscription> list() {
        return webhooks.list();
    }

    @Operation(summary = "One subscription", description = "Without its secret.")
    @PreAuthorize("hasRole('ADMIN')")
    @GetMapping("/{id}")
    WebhookSubscription one(@PathVariable String id) {
        return webhooks.find(id).orElseThrow(() -> new NotFoundException("There is no webhook '" + id + "'"));
    }

    @Operation(summary = "Replace a subscription's settings",
            description = "The body as for create, without `secret` (rotate it instead). Pending deliveries stay.")
    @PreAuthorize("hasRole('ADMIN')")
    @PutMapping("/{id}")
    WebhookSubscription update(@PathVariable String id, @RequestBody WebhookRequest request) {
        return webhooks.update(id, request);
    }

    @Operation(summary = "Delete a subscription", description = "Its deliveries, pending ones too, go with it.")
    @PreAuthorize("hasRole('ADMIN')")
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        webhooks.delete(id);
        return ResponseEntity.noContent().build();
    }

    @Operation(summary = "Replace the secret with a new server-made one",
            description = "The answer carries the new `secret`, the only time it is shown; the next request is"
                    + " signed with it.")
    @PreAuthorize("hasRole('ADMIN')")
    @PostMapping("/{id}/rotate-secret")
    WebhookSubscription rotateSecret(@PathVariable String id) {
        return webhooks.rotateSecret(id);
    }

    @Operation(summary = "Send a test event",
            description = "Queues a `webhook.ping` event for this subscription alone; 202 with its delivery.")
    @PreAuthorize("hasRole('ADMIN')")
    @PostMapping("/{id}/test")
    ResponseEntity<WebhookDelivery> test(@PathVariable String id, Authentication user) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(webhooks.ping(id, user.getName()));
    }

    @Operation(summary = "A subscription's deliveries, newest first",
            description = "Optionally only one `state`; `page` from 0, `size` up to 500.")
    @PreAuthorize("hasRole('ADMIN')")
    @GetMapping("/{id}/deliveries")
    WebhookDeliveryPage deliveries(@PathVariable String id, @RequestParam(required = false)
            @Parameter(schema = @Schema(allowableValues = {"PENDING", "DELIVERED", "FAILED"})) String state,
            @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
        Paging paging = Paging.of(page, size, MAX_PAGE_SIZE);
        return webhooks.deliveries(id, state(Paging.blankToNull(state)), paging.page(), paging.size());
    }

    @Operation(summary = "Send a delivery again",
            description = "A DELIVERED or FAILED delivery becomes PENDING with a fresh round of attempts; 409 while"
                    + " it is PENDING. 202 with the delivery.")
    @PreAuthorize("hasRole('ADMIN')")
    @PostMapping("/deliveries/{deliveryId}/retry")
    ResponseEntity<WebhookDelivery> retry(@PathVariable long deliveryId) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(webhooks.retry(deliveryId));
    }

    @ExceptionHandler(WebhookRefused.class)
    ProblemDetail refused(WebhookRefused e) {
        HttpStatus status = switch (e.reason()) {
            case INVALID -> HttpStatus.BAD_REQUEST;
            case NOT_FOUND -> HttpStatus.NOT_FOUND;
            case CONFLICT -> HttpStatus.CONFLICT;
        };
        return ProblemDetail.forStatusAndDetail(status, e.getMessage());
    }

    private static WebhookDelivery.State state(String state) {
        if (state == null) {
            return null;
        }
        try {
            return WebhookDelivery.State.valueOf(state.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("'state' must be one of PENDING, DELIVERED, FAILED, not '" + state + "'");
        }
    }
}
