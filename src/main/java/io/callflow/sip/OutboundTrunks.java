package io.callflow.sip;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.sip.OutboundTrunkProperties.CallerIdIn;
import io.callflow.sip.OutboundTrunkProperties.Trunk;
import javax.sip.address.Address;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.message.Request;

/**
 * The configured outbound trunks, checked once at start-up, and how a call to a number goes out through one: the
 * Request-URI at the trunk's address and the caller ID in From and/or P-Asserted-Identity as the trunk expects.
 */
final class OutboundTrunks {

    /** A configured trunk with its parsed address. */
    record Configured(Trunk settings, String host, int port, String transport, String domain) {

        String name() {
            return settings.name();
        }
    }

    /** One call's way out: the trunk, the number and the caller ID it presents. */
    record Route(Configured trunk, String number, String callerId) {

        Binding binding() {
            String uri = "sip:" + number + "@" + trunk.host() + ":" + trunk.port()
                    + ("udp".equals(trunk.transport()) ? "" : ";transport=" + trunk.transport());
            return new Binding(number, uri, null, trunk.host(), trunk.port(), trunk.transport(), null, 0);
        }

        /** Presents the caller ID (RFC 3325 section 9.1 for P-Asserted-Identity) as the trunk expects. */
        void decorate(Request invite, SipContext sip) throws Exception {
            if (callerId == null) {
                return;
            }
            CallerIdIn where = trunk.settings().callerIdIn() == null ? CallerIdIn.BOTH : trunk.settings().callerIdIn();
            Address identity = sip.addresses().createAddress("sip:" + callerId + "@" + trunk.domain());
            if (where != CallerIdIn.PAI) {
                ((FromHeader) invite.getHeader(FromHeader.NAME)).setAddress(identity);
            }
            if (where != CallerIdIn.FROM) {
                Header pai = sip.headers().createHeader("P-Asserted-Identity", "<sip:" + callerId + "@"
                        + trunk.domain() + ">");
                invite.addHeader(pai);
            }
        }
    }

    private final Map<String, Configured> trunks = new LinkedHashMap<>();
    private final String defaultTrunk;

    OutboundTrunks(OutboundTrunkProperties properties) {
        List<Trunk> all = new ArrayList<>();
        if (properties.outboundTrunk() != null && !properties.outboundTrunk().isBlank()) {
            all.add(new Trunk("default", properties.outboundTrunk(), "udp", null, null, CallerIdIn.BOTH, null));
        }
        all.addAll(properties.outboundTrunks() == null ? List.of() : properties.outboundTrunks());
        for (Trunk trunk : all) {
            if (trunk.name() == null || trunk.name().isBlank()) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: every trunk needs a name");
            }
            OutboundTrunk address;
            try {
                address = OutboundTrunk.parse(trunk.address());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: trunk '" + trunk.name()
                        + "' address must be host:port, not '" + trunk.address() + "'", e);
            }
            if (address == null) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: trunk '" + trunk.name()
                        + "' needs an address (host:port)");
            }
            String transport = trunk.transport() == null ? "udp" : trunk.transport().toLowerCase();
            if (!transport.equals("udp") && !transport.equals("tcp")) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: trunk '" + trunk.name()
                        + "' transport must be udp or tcp, not '" + trunk.transport() + "'");
            }
            var registration = trunk.registration();
            if (registration != null && (blank(registration.username()) || registration.password() == null
                    || registration.expires() < 1)) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: trunk '" + trunk.name()
                        + "' registration needs username, password and expires of 1 s or more");
            }
            String domain = blank(trunk.domain()) ? address.host() : trunk.domain();
            if (trunks.putIfAbsent(trunk.name(), new Configured(trunk, address.host(), address.port(), transport,
                    domain)) != null) {
                throw new IllegalArgumentException("callflow.sip.outbound-trunks: two trunks are named '"
                        + trunk.name() + "' (callflow.sip.outbound-trunk is the trunk 'default')");
            }
        }
        String chosen = properties.defaultOutboundTrunk();
        if (!blank(chosen) && !trunks.containsKey(chosen)) {
            throw new IllegalArgumentException("callflow.sip.default-outbound-trunk '" + chosen
                    + "' is not a configured outbound trunk");
        }
        this.defaultTrunk = !blank(chosen) ? chosen : trunks.containsKey("default") ? "default"
                : trunks.keySet().stream().findFirst().orElse(null);
    }

    List<Configured> all() {
        return List.copyOf(trunks.values());
    }

    /** The trunk named (null: the default one), if configured. */
    Optional<Configured> find(String name) {
        return Optional.ofNullable(trunks.get(name == null ? defaultTrunk : name));
    }

    /** The default trunk's address for click-to-call, or null when no trunk is configured. */
    OutboundTrunk defaultAddress() {
        return find(null).map(trunk -> new OutboundTrunk(trunk.host(), trunk.port())).orElse(null);
    }

    /** How {@code number} goes out through the trunk: caller ID from the route, else the trunk's own rule. */
    Optional<Route> route(String trunk, String number, String callerId) {
        return find(trunk).map(configured -> new Route(configured, number, callerId != null ? callerId
                : configured.settings().callerId()));
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
