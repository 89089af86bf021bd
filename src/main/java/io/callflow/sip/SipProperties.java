package io.callflow.sip;

import java.time.Duration;
import java.util.List;

import io.callflow.media.SrtpPolicy;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SIP settings: where to listen (UDP and TCP on one port), the domain (digest realm), registration limits, nonce
 * lifetime, the digest algorithms offered (one challenge each, in this order), and the trunks allowed to send calls
 * (by source address range), how often expired registrations are swept, how long registrations may wait to be
 * written to the database, how long agents' credentials are cached, flood protection, overload shedding, the
 * bounds on TCP connections and the guard against password guessing.
 */
@ConfigurationProperties("callflow.sip")
public record SipProperties(
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("127.0.0.1") String advertisedAddress,
        @DefaultValue("5060") int port,
        @DefaultValue("callflow.local") String domain,
        @DefaultValue("60") int minExpires,
        @DefaultValue("3600") int maxExpires,
        @DefaultValue("300s") Duration nonceLifetime,
        @DefaultValue("MD5") List<String> digestAlgorithms,
        @DefaultValue List<Trunk> trunks,
        @DefaultValue("10s") Duration registrationSweep,
        @DefaultValue("200ms") Duration registrationWriteDelay,
        @DefaultValue("10s") Duration credentialCache,
        @DefaultValue Flood flood,
        @DefaultValue Overload overload,
        @DefaultValue Tcp tcp,
        @DefaultValue AuthGuard authGuard) {

    /**
     * A carrier or PBX allowed to send calls, recognised by its source address ranges (CIDR), with its SRTP policy
     * (how its SDP offers are answered) and TLS policy (required: INVITEs over any other transport get 403).
     */
    public record Trunk(String name, List<String> cidrs, @DefaultValue("optional") SrtpPolicy srtp,
            @DefaultValue("off") TlsPolicy tls) {
    }

    /**
     * Flood protection in the manner of Kamailio's pike module: a source address that sends more than
     * {@code maxRequests} requests within {@code window} is banned for {@code banTime} (its requests are dropped
     * unanswered). Trunks are exempt unless {@code exemptTrunks} is off, because they are already trusted by address
     * and a busy one legitimately sends hundreds of requests a second.
     */
    public record Flood(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("200") int maxRequests,
            @DefaultValue("2s") Duration window,
            @DefaultValue("60s") Duration banTime,
            @DefaultValue("true") boolean exemptTrunks) {
    }

    /**
     * Overload shedding: an INVITE that waited longer than {@code maxAdmissionDelay} for its call's lane (the node is
     * behind) is refused with 503 and {@code Retry-After: retryAfterSeconds} (RFC 3261 section 21.5.4), so the trunk
     * can send it elsewhere and the calls already admitted keep their lanes. {@code 0s} turns it off.
     */
    public record Overload(
            @DefaultValue("1s") Duration maxAdmissionDelay,
            @DefaultValue("10") int retryAfterSeconds) {
    }

    /**
     * Bounds on inbound SIP-over-TCP connections, so idle or slow connections cannot exhaust file descriptors or
     * memory: at most {@code maxConnections} in all and {@code maxConnectionsPerSource} from one address (trunks are
     * exempt from both; a connection over a limit is closed at once); a new connection must deliver its first complete
     * message within {@code firstMessageTimeout}, every message must be complete within {@code messageTimeout} of its
     * first byte (slowloris), and a connection whose peer has sent nothing for {@code idleTimeout} is closed.
     */
    public record Tcp(
            @DefaultValue("10000") int maxConnections,
            @DefaultValue("200") int maxConnectionsPerSource,
            @DefaultValue("20s") Duration firstMessageTimeout,
            @DefaultValue("20s") Duration messageTimeout,
            @DefaultValue("65m") Duration idleTimeout) {
    }

    /**
     * Password guessing: a source address with {@code maxFailuresPerSource} failed digest authentications (wrong
     * response, or a user that does not exist) within {@code window} has its REGISTERs dropped unanswered for
     * {@code blockTime}; a user with {@code maxFailuresPerUser} failures within {@code window}, from any sources, is
     * refused (403) for {@code blockTime} from every address except those it last registered from successfully
     * (remembered for {@code usualAddressMemory}). Each block of the same source or user within
     * {@code offenceMemory} of its previous one lasts twice as long, up to {@code maxBlockTime}. Addresses in
     * {@code exemptCidrs} (an office NAT, like fail2ban's {@code ignoreip}) are never blocked as a source.
     */
    public record AuthGuard(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10") int maxFailuresPerSource,
            @DefaultValue("20") int maxFailuresPerUser,
            @DefaultValue("10m") Duration window,
            @DefaultValue("5m") Duration blockTime,
            @DefaultValue("24h") Duration maxBlockTime,
            @DefaultValue("24h") Duration offenceMemory,
            @DefaultValue("30d") Duration usualAddressMemory,
            @DefaultValue List<String> exemptCidrs) {
    }

    /** Trunks to use: the configured ones, or loopback only when none is configured. */
    public List<Trunk> effectiveTrunks() {
        return trunks == null || trunks.isEmpty() ? List.of(new Trunk("local", List.of("127.0.0.0/8", "::1/128"), SrtpPolicy.OPTIONAL,
                TlsPolicy.OFF))
                : trunks;
    }
}
