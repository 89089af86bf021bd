package io.callflow.sip;

import io.callflow.media.SrtpPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Signalling and media security towards agents' phones: {@code tls} required calls only contacts registered over TLS;
 * {@code srtp} required offers only SRTP (RTP/SAVP) and, since SDES keys must not cross a plain transport (RFC 4568
 * section 8.3), also calls only contacts registered over TLS; optional offers a key to phones registered over TLS.
 */
@ConfigurationProperties("callflow.sip.agents")
public record SipAgentProperties(
        @DefaultValue("off") SrtpPolicy srtp,
        @DefaultValue("optional") TlsPolicy tls) {
}
