package io.callflow.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Which receiver URLs are accepted when private addresses are not allowed, and the documented signature. */
class WebhookTargetsTest {

    final WebhookTargets production = new WebhookTargets(false);
    final WebhookTargets tryOut = new WebhookTargets(true);

    @ParameterizedTest
    @ValueSource(strings = {"http://127.0.0.1:8080/x", "http://localhost/x", "http://10.1.2.3/x",
            "http://172.16.0.1/x", "http://192.168.1.1/x", "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/x", "http://0.0.0.0/x", "http://[::1]/x", "http://[fd00::1]/x", "http://[fe80::1]/x"})
    void insideAddressesAreRefusedWhenPrivateAddressesAreNotAllowed(String url) {
        assertThatThrownBy(() -> production.check(url)).isInstanceOf(WebhookRefused.class)
                .hasMessageContaining("private or loopback address");
        assertThat(tryOut.check(url).toString()).isEqualTo(url);
    }

    @Test
    void aPublicAddressIsAccepted() {
        assertThat(production.check("https://93.184.216.34/hook").getHost()).isEqualTo("93.184.216.34");
    }

    /** The value the shell example in docs/webhooks.md prints for this secret, timestamp and body (openssl dgst). */
    @Test
    void theSignatureIsTheDocumentedHmac() {
        assertThat(WebhookSignature.sign("whsec_test", 1764748800L, "{\"a\":1}".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("v1=dcee5a9465d4cc9ce9f2fd88e3e4a15ae5affe795c24c1bd048fe11aa5dcfbdf");
        assertThat(WebhookSignature.newSecret()).startsWith("whsec_").hasSize(6 + 43)
                .isNotEqualTo(WebhookSignature.newSecret());
    }
}
