package io.callflow.tracing;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Settings of the per-call traces (switched on and exported by Spring Boot's {@code management.tracing.*} and
 * {@code management.otlp.tracing.*}): how long a call's trace may stay open without news before it is ended as it
 * stands.
 */
@ConfigurationProperties("callflow.tracing")
record TracingProperties(@DefaultValue("4h") Duration maxCallDuration) {
}
