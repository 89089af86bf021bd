package io.callflow.media;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.Set;

/**
 * Even RTP ports from a range, the odd port beside each kept for RTCP (RFC 3550 section 11). Released ports go to the
 * back of the queue, so a port is not reused while late packets of its last call may still arrive.
 */
final class PortPool {

    private final Deque<Integer> free = new ArrayDeque<>();
    private final Set<Integer> inUse = new HashSet<>();

    PortPool(int min, int max) {
        if (min < 1024 || max > 65534 || min > max) {
            throw new IllegalArgumentException("RTP port range " + min + "-" + max + " is not valid");
        }
        for (int port = min % 2 == 0 ? min : min + 1; port + 1 <= max; port += 2) {
            free.add(port);
        }
    }

    synchronized int take() {
        Integer port = free.poll();
        if (port == null) {
            throw new IllegalStateException("no free RTP port: all " + inUse.size() + " are in use");
        }
        inUse.add(port);
        return port;
    }

    synchronized void give(int port) {
        if (inUse.remove(port)) {
            free.add(port);
        }
    }

    synchronized int inUse() {
        return inUse.size();
    }

    /** Port pairs ready to be taken. */
    synchronized int available() {
        return free.size();
    }
}
