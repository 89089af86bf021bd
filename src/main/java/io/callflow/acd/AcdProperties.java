package io.callflow.acd;

import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * ACD settings: the provisioning file, how fast a waiting call's priority ages (+1 per {@code priorityAging} waited),
 * whether a phone registering makes its agent AVAILABLE, the time zone of queue business hours, and the average
 * handle time assumed for wait estimates until a queue has history.
 */
@ConfigurationProperties("callflow.acd")
public record AcdProperties(
        @DefaultValue("./provisioning/callflow.yml") Path provisioningFile,
        @DefaultValue("30s") Duration priorityAging,
        @DefaultValue("true") boolean autoLoginOnRegister,
        @DefaultValue("UTC") ZoneId zone,
        @DefaultValue("120s") Duration defaultHandleTime) {
}
