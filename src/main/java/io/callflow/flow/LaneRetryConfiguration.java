package io.callflow.flow;

import java.time.Duration;

import io.callflow.call.CallControl;
import io.callflow.call.LaneRetryPolicy;
import io.callflow.platform.DatabaseAvailability;
import io.callflow.platform.DatabaseSettings;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Lazy;

/**
 * Call events are never dropped for a database outage: the call's lane retries the event (from 250 ms, doubling, at
 * most every 5 s) until the database answers or {@code callflow.database.event-retry-limit} has passed; then the
 * call's signalling is ended, and reconciliation closes its record and frees its agent once the database is back.
 */
@Configuration(proxyBeanMethods = false)
class LaneRetryConfiguration {

    @Bean
    LaneRetryPolicy laneRetryPolicy(DatabaseAvailability database, DatabaseSettings settings,
            @Lazy CallControl callControl) {
        return new LaneRetryPolicy(database::reportIfOutage, Duration.ofMillis(250), Duration.ofSeconds(5),
                settings.eventRetryLimit(), (callId, failure) -> callControl.hangUp(callId));
    }
}
