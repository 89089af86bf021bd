package io.callflow.sip;

/**
 * A trunk's SIP address, {@code host:port} (the port defaults to 5060): an outbound trunk's {@code address}, and the
 * default trunk's, where click-to-call sends its calls ({@link OutboundTrunks}).
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
