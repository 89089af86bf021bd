package io.callflow.sip;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code sipTrunks} health contributor: each outbound trunk's registration state as details. It stays UP while a
 * provider is unreachable, since calls in and between agents still work and a restart would not bring the provider
 * back; {@code allRegistered} and each trunk's state and last error say what is wrong.
 */
@Component("sipTrunksHealthIndicator")
class TrunkRegistrationsHealthIndicator extends AbstractHealthIndicator {

    private final TrunkRegistrations registrations;

    TrunkRegistrationsHealthIndicator(TrunkRegistrations registrations) {
        this.registrations = registrations;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        var statuses = registrations.statuses();
        builder.up().withDetail("allRegistered", statuses.stream().filter(TrunkRegistrations.TrunkStatus::registers)
                .allMatch(status -> status.state().equals(TrunkRegistrations.State.REGISTERED.name())));
        statuses.forEach(status -> builder.withDetail(status.trunk(), status));
    }
}
