package io.callflow.sip;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.callflow.call.RegistrationChanged;
import io.callflow.support.Sipp;
import io.callflow.support.TestContent;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.context.event.EventListener;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One running Callflow shared by the SIP application tests (same settings, so Spring caches one context for all of
 * them): registration limits and timers short enough to test, and flood protection with a low limit. Only
 * 127.0.0.1 is a trunk and therefore exempt from flood protection; SIPp sends from it, the flood tests send from
 * other loopback addresses (127.0.0.2 and up).
 */
@SpringBootTest
@ActiveProfiles("test")
@Import(RunningCallflow.Recorder.class)
abstract class RunningCallflow {

    static final String PROVISIONING = """
            agents:
              - { id: alice, sipUser: "1001", password: alice-1001 }
              - { id: bob, sipUser: "1002", password: bob-1002 }
              - { id: carol, sipUser: "1003", password: carol-1003 }
              - { id: dave, sipUser: "1004", password: dave-1004 }
            queues:
              - { name: sales, joinWhenEmpty: true, members: [ alice, bob, carol, dave ] }
            """;
    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", PROVISIONING);
    static final int SIP_PORT = freePort();
    static final int FLOOD_LIMIT = 30;

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        CONTENT.registerLoopbackCallflow(registry, SIP_PORT, 30000, 30999);
        registry.add("callflow.sip.trunks[0].name", () -> "local");
        registry.add("callflow.sip.trunks[0].cidrs[0]", () -> "127.0.0.1/32");
        registry.add("callflow.sip.nonce-lifetime", () -> "2s");
        registry.add("callflow.sip.min-expires", () -> 2);
        registry.add("callflow.sip.registration-sweep", () -> "300ms");
        registry.add("callflow.sip.flood.max-requests", () -> FLOOD_LIMIT);
        registry.add("callflow.sip.flood.window", () -> "1s");
        registry.add("callflow.sip.flood.ban-time", () -> "2s");
    }

    /** Every {@link RegistrationChanged} the application published, in order. */
    static class Recorder {

        final List<RegistrationChanged> registrations = new CopyOnWriteArrayList<>();

        @EventListener
        void on(RegistrationChanged change) {
            registrations.add(change);
        }
    }

    static int freePort() {
        try {
            return Sipp.freePort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
