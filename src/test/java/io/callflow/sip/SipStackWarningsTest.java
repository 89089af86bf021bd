package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.util.Map;

import ch.qos.logback.classic.Level;
import io.callflow.support.LogCounter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sip.SipStack;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/**
 * Starting the SIP stack the way Callflow does, TLS off: not one warning. JAIN-SIP's default security manager provider
 * and TLS policy used to log five (keystore, truststore, TLS policy) at every start.
 */
class SipStackWarningsTest {

    @Test
    void aStackWithoutTlsStartsWithoutWarnings() throws Exception {
        var source = new MapConfigurationPropertySource(Map.of("callflow.sip.port", "0",
                "callflow.sip.bind-address", "127.0.0.1"));
        Binder binder = new Binder(source);
        SipProperties properties = binder.bindOrCreate("callflow.sip", SipProperties.class);
        SipTlsProperties tls = binder.bindOrCreate("callflow.sip.tls", SipTlsProperties.class);
        SipConfiguration configuration = new SipConfiguration();
        LogCounter warnings = LogCounter.attachToRoot();
        SipStack stack = null;
        try (TcpConnectionGuard guard = configuration.tcpConnectionGuard(properties, Clock.systemUTC(),
                new SimpleMeterRegistry())) {
            stack = configuration.sipStack(properties, guard, tls,
                    new StaticListableBeanFactory().getBeanProvider(ReloadingKeyManager.class));
            configuration.sipContext(stack, properties, tls);
            assertThat(warnings.total(Level.WARN)).as("warnings: %s", warnings.top(10)).isZero();
        } finally {
            warnings.detach();
            if (stack != null) {
                stack.stop();
            }
        }
    }
}
