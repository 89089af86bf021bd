package io.callflow.sip;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** An address range such as {@code 192.0.2.0/24} or {@code ::1/128}. */
record Cidr(byte[] network, int bits) {

    static Cidr parse(String text) {
        String[] parts = text.trim().split("/");
        try {
            byte[] address = InetAddress.getByName(parts[0]).getAddress();
            int bits = parts.length > 1 ? Integer.parseInt(parts[1]) : address.length * 8;
            if (bits < 0 || bits > address.length * 8) {
                throw new IllegalArgumentException("prefix length out of range in " + text);
            }
            return new Cidr(address, bits);
        } catch (UnknownHostException | NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not an address range like 192.0.2.0/24", e);
        }
    }

    boolean contains(InetAddress address) {
        byte[] candidate = address.getAddress();
        if (candidate.length != network.length) {
            return false;
        }
        int full = bits / 8;
        for (int i = 0; i < full; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = bits % 8;
        if (rest == 0) {
            return true;
        }
        int mask = 0xff << (8 - rest);
        return (candidate[full] & mask) == (network[full] & mask);
    }
}
