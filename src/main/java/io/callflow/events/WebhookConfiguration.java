package io.callflow.events;

import java.net.http.HttpClient;
import java.time.Clock;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Wires webhooks: the subscription and delivery tables, the fan-out from the outbox, the dispatcher with its sender
 * pool (woken by every local outbox commit) and the retention job.
 */
@Configuration(proxyBeanMethods = false)
class WebhookConfiguration {

    @Bean
    WebhookSubscriptions webhookSubscriptions(JdbcTemplate jdbc) {
        return new WebhookSubscriptions(jdbc);
    }

    @Bean
    WebhookDeliveries webhookDeliveries(JdbcTemplate jdbc) {
        return new WebhookDeliveries(jdbc);
    }

    @Bean
    WebhookTargets webhookTargets(WebhookProperties properties) {
        return new WebhookTargets(properties.allowPrivateAddresses());
    }

    @Bean
    WebhookFanout webhookFanout(JdbcTemplate jdbc, TransactionTemplate transactions, Outbox outbox,
            WebhookSubscriptions subscriptions, WebhookDeliveries deliveries, ObjectMapper json, Clock clock,
            WebhookProperties properties) {
        return new WebhookFanout(jdbc, transactions, outbox, subscriptions, deliveries, json, clock, properties);
    }

    @Bean
    WebhookDispatcher webhookDispatcher(WebhookFanout fanout, WebhookSubscriptions subscriptions,
            WebhookDeliveries deliveries, WebhookTargets targets, WebhookProperties properties, Clock clock,
            @Value("${callflow.node-id:local}") String nodeId, MeterRegistry meters, Outbox outbox) {
        HttpClient client = HttpClient.newBuilder().connectTimeout(properties.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER).build();
        WebhookDispatcher dispatcher = new WebhookDispatcher(fanout, subscriptions, deliveries,
                new WebhookSender(client, properties.requestTimeout(), targets, clock), properties, clock, nodeId,
                meters);
        outbox.onAppended(dispatcher::wake);
        return dispatcher;
    }

    @Bean
    Webhooks webhooks(WebhookSubscriptions subscriptions, WebhookDeliveries deliveries, WebhookTargets targets,
            WebhookFanout fanout, WebhookDispatcher dispatcher, TransactionTemplate transactions, Clock clock,
            WebhookProperties properties) {
        return new Webhooks(subscriptions, deliveries, targets, fanout, dispatcher, transactions, clock,
                properties.maxBatchSize());
    }

    @Bean(destroyMethod = "close")
    WebhookRetention webhookRetention(WebhookDeliveries deliveries, WebhookFanout fanout,
            WebhookProperties properties, Clock clock) {
        return new WebhookRetention(deliveries, fanout, properties.retention(), clock);
    }
}
