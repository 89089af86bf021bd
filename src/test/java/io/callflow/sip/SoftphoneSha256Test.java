package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.callflow.support.Baresip;
import io.callflow.support.Linphone;
import io.callflow.support.TestContent;
import io.callflow.support.Tones;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The real softphones against a Callflow hardened to SHA-256 digest only ({@code callflow.sip.digest-algorithms=
 * SHA-256}): which of them can register there, for the compatibility table in docs/sip.md.
 */
@SpringBootTest
@ActiveProfiles("test")
class SoftphoneSha256Test {

    static final TestContent CONTENT = TestContent.create()
            .with("rules/business-hours.drl", "package io.callflow.rules\n")
            .with("provisioning.yml", """
                    agents:
                      - { id: alice, sipUser: "1001", password: alice-1001 }
                    """);
    static final int SIP_PORT = RunningCallflow.freePort();
    static final Duration SIGNALLING = Duration.ofSeconds(10);

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        SoftphoneInteropTest.phoneTestProperties(registry, CONTENT, SIP_PORT);
        registry.add("callflow.sip.digest-algorithms", () -> "SHA-256");
    }

    @BeforeAll
    static void phones() {
        Baresip.require();
        Linphone.require();
    }

    @Test
    void linphoneRegistersWithSha256() throws Exception {
        try (Linphone phone = Linphone.start("1001", "alice-1001", SIP_PORT, Tones.silence(5), 41500, 41599)) {
            phone.awaitRegistered(SIGNALLING);
            assertThat(phone.sipLog()).contains("algorithm=SHA-256");
        }
    }

    @Test
    void baresip10CannotAnswerASha256Challenge() throws Exception {
        // libre in Debian 12 implements MD5 only: the REGISTER fails ("Function not implemented"). A newer baresip
        // that passes here should move to "SHA-256: yes" in the compatibility table.
        try (Baresip phone = Baresip.agent("1001", "alice-1001", SIP_PORT).start()) {
            phone.awaitEvent("REGISTER_FAIL", SIGNALLING);
            assertThat(phone.log()).contains("Function not implemented");
        }
    }
}
