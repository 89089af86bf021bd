package io.callflow.sip;

import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SIP over TLS (RFC 3261 section 26.2, port 5061), off by default: the server certificate and key as PEM files
 * ({@code certificate}, {@code privateKey}) or a key store ({@code keyStore}, {@code keyStorePassword},
 * {@code keyStoreType}); files are checked every {@code reloadCheck} and a changed certificate is used for new
 * connections without a restart. {@code trustCertificates} (PEM) are the authorities trusted when Callflow opens a TLS
 * connection itself (to a trunk or a phone); the JVM's defaults when unset.
 */
@ConfigurationProperties("callflow.sip.tls")
public record SipTlsProperties(
        @DefaultValue("false") boolean enabled,
        @DefaultValue("5061") int port,
        String certificate,
        String privateKey,
        String keyStore,
        String keyStorePassword,
        @DefaultValue("PKCS12") String keyStoreType,
        String trustCertificates,
        @DefaultValue("10s") Duration reloadCheck) {

    /** The files whose change means new key material. */
    java.util.List<String> files() {
        return java.util.stream.Stream.of(certificate, privateKey, keyStore).filter(f -> f != null && !f.isBlank())
                .toList();
    }
}
