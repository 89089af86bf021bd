package io.callflow.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;

/**
 * JAIN-SIP's NIO TCP transport (one selector thread for every connection) with {@link TcpConnectionGuard} deciding
 * on each accepted connection. The stack accepts without any limit ("this can be configured at OS level", its source
 * says), and its accept hook is the only place to refuse a connection before the stack starts reading it.
 */
final class BoundedNioTcpMessageProcessor extends NioTcpMessageProcessor {

    private final TcpConnectionGuard guard;

    BoundedNioTcpMessageProcessor(InetAddress address, SIPTransactionStack stack, int port,
            TcpConnectionGuard guard) {
        super(address, stack, port);
        this.guard = guard;
    }

    /** Called by the selector thread for each connection it accepts, before it registers it for reading. */
    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel client)
            throws IOException {
        NioTcpMessageChannel existing = nioHandler.getMessageChannel(client);
        if (existing != null) {
            return existing;
        }
        if (!guard.admit(client.socket().getInetAddress())) {
            // Closed at once, by the selector thread that registers the socket next: closing it here would make that
            // registration fail with an error logged for every refused connection. A socket shut down for input reads
            // end-of-stream straight away, on which the stack closes it; linger 0 makes that close a reset, so a
            // flood of refused connections leaves no TIME_WAIT behind.
            NioTcpMessageChannel refused = super.createMessageChannel(processor, client);
            client.setOption(StandardSocketOptions.SO_LINGER, 0);
            client.shutdownInput();
            return refused;
        }
        GuardedNioTcpMessageChannel channel = new GuardedNioTcpMessageChannel(processor, client, guard);
        nioHandler.putMessageChannel(client, channel);
        guard.opened(channel);
        return channel;
    }
}
