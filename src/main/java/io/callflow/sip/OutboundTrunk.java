package io.callflow.sip;

/**
 * Where outbound calls (click-to-call) are sent: a carrier's or PBX's SIP address, {@code host:port}
 * ({@code callflow.sip.outbound-trunk}; the port defaults to 5060). Over UDP; no digest credentials.
 */
record OutboundTrunk(String host, int port) {

    /** Parses {@code host:port} or {@code host}; null or blank is no outbound trunk. */
    static OutboundTrunk parse(String address) {
        if (address == null || address.isBlank()) {
            return null;
        }
        String text = address.trim();
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            return new OutboundTrunk(text, 5060);
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65535 || colon == 0) {
                throw new NumberFormatException();
            }
            return new OutboundTrunk(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("callflow.sip.outbound-trunk must be host:port, not '" + address + "'");
        }
    }
}
