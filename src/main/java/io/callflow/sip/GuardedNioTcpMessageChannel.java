package io.callflow.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;

/**
 * An inbound TCP connection as JAIN-SIP's NIO transport keeps it, plus what {@link TcpConnectionGuard} needs to time
 * it out: when it was accepted, when the peer last sent something, and where the message being received
 * stands ({@link SipStreamFramer}). Closing it, by anyone, releases its place in the guard's counts.
 */
final class GuardedNioTcpMessageChannel extends NioTcpMessageChannel {

    /** How long a connection shut down by the guard may take to be closed by the stack's selector thread. */
    private static final long CLOSE_GRACE_MILLIS = 1000;

    private final TcpConnectionGuard guard;
    private final SipStreamFramer framer = new SipStreamFramer();
    private final InetAddress source;
    private final long acceptedAt;
    private volatile long lastActivity;
    private volatile long closingSince;

    GuardedNioTcpMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket, TcpConnectionGuard guard)
            throws IOException {
        super(processor, socket);
        this.messageProcessor = processor;
        this.guard = guard;
        this.source = socket.socket().getInetAddress();
        this.acceptedAt = guard.now();
        this.lastActivity = acceptedAt;
    }

    /** Called by the stack's selector thread with each chunk read from the socket, before it is parsed. */
    @Override
    protected void addBytes(byte[] bytes) throws Exception {
        long now = guard.now();
        lastActivity = now;
        framer.accept(bytes, now);
        super.addBytes(bytes);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
        try {
            super.close(removeSocket, stopKeepAliveTask);
        } finally {
            guard.released(this);
        }
    }

    /**
     * Ends the connection from the guard's thread. The stack's connection tables are plain maps that its selector
     * thread changes, so the guard does not close the channel itself: it shuts the socket down (the peer sees the
     * close at once) and the selector thread, reading end-of-stream, closes the channel as it does for any peer that
     * hangs up. Only a channel still open after a grace period is closed from here.
     */
    void closeFromGuard(long now) {
        if (closingSince == 0) {
            closingSince = now;
            try {
                socketChannel.shutdownOutput();
                socketChannel.shutdownInput();
                return;
            } catch (IOException e) {
                // already gone: close it here
            }
        } else if (now - closingSince < CLOSE_GRACE_MILLIS && isSocketOpen()) {
            return;
        }
        close();
    }

    boolean closing() {
        return closingSince != 0;
    }

    boolean isSocketOpen() {
        return socketChannel != null && socketChannel.isOpen();
    }

    InetAddress source() {
        return source;
    }

    long acceptedAt() {
        return acceptedAt;
    }

    long lastActivity() {
        return lastActivity;
    }

    SipStreamFramer framer() {
        return framer;
    }
}
