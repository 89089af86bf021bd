package io.callflow.routing;

import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Routing settings: the queue a call goes to when no rule chooses one, and the call centre's time zone, in which the
 * rules see the time of day.
 */
@ConfigurationProperties("callflow.routing")
public record RoutingProperties(@DefaultValue("support") String defaultQueue, @DefaultValue("UTC") ZoneId zone) {
}
