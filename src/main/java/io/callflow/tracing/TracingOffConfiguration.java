package io.callflow.tracing;

import io.micrometer.tracing.Tracer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Tracing off means no tracer at all: Spring Boot's {@code management.tracing.enabled=false} only removes the
 * exporters, and would still build an OpenTelemetry tracer that records a span for every HTTP request and drops it.
 * Micrometer's no-op tracer takes its place (Boot's tracer is only made when none is defined).
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "management.tracing.enabled", havingValue = "false")
class TracingOffConfiguration {

    @Bean
    Tracer noopTracer() {
        return Tracer.NOOP;
    }
}
