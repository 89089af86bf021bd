package io.callflow.sip;

import java.time.Duration;
import java.util.List;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Outbound trunks ({@code callflow.sip.outbound-trunks}): where calls to outside numbers go, each address-based or
 * registering to its provider with digest credentials, with its caller-ID rule. The single
 * {@code callflow.sip.outbound-trunk} ({@code host:port}) of earlier versions is still read: it becomes a trunk named
 * {@code default}. {@code default-outbound-trunk} names the trunk used when a route names none (else {@code default},
 * else the first listed).
 */
@ConfigurationProperties("callflow.sip")
public record OutboundTrunkProperties(
        @DefaultValue List<Trunk> outboundTrunks,
        String outboundTrunk,
        String defaultOutboundTrunk) {

    /**
     * One outbound trunk: its {@code name}, {@code address} ({@code host:port}), {@code transport} (udp or tcp), the
     * SIP {@code domain} of From and the registration (its host when left out), the presented number
     * {@code callerId} (when the route gives none) and where it is presented ({@code callerIdIn}: from, pai or both),
     * and {@code registration} when the provider wants a REGISTER first.
     */
    public record Trunk(String name, String address, @DefaultValue("udp") String transport, String domain,
            String callerId, @DefaultValue("both") CallerIdIn callerIdIn, Registration registration) {
    }

    /**
     * Registration to the provider: digest {@code username} and {@code password} (and {@code authUsername} when the
     * provider's differs from the address-of-record's user), the {@code expires} asked for, and the exponential
     * backoff between failed attempts, from {@code retryInitial} up to {@code retryMax}.
     */
    public record Registration(String username, String password, String authUsername,
            @DefaultValue("600") int expires, @DefaultValue("2s") Duration retryInitial,
            @DefaultValue("5m") Duration retryMax) {
    }

    /** Where the presented number goes: the From header, P-Asserted-Identity (RFC 3325), or both. */
    public enum CallerIdIn { FROM, PAI, BOTH }
}
