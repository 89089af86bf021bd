package io.callflow.sip;

import java.io.IOException;
import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import javax.sip.ListeningPoint;

/**
 * JAIN-SIP's NIO transports, with TCP bounded by a {@link TcpConnectionGuard}. The stack creates this factory itself,
 * by class name ({@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY}) and without arguments, hence public and the
 * hand-over of each stack's guard by stack name before the stack is created.
 */
public final class BoundedNioMessageProcessorFactory extends NioMessageProcessorFactory {

    private static final Map<String, TcpConnectionGuard> GUARDS = new ConcurrentHashMap<>();

    /** The guard for the TCP listening point of the stack named {@code stackName}, taken when it is created. */
    static void register(String stackName, TcpConnectionGuard guard) {
        GUARDS.put(stackName, guard);
    }

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
            String transport) throws IOException {
        if (!ListeningPoint.TCP.equalsIgnoreCase(transport)) {
            return super.createMessageProcessor(stack, address, port, transport);
        }
        String name = ((SipStackImpl) stack).getStackName();
        TcpConnectionGuard guard = GUARDS.remove(name);
        if (guard == null) {
            throw new IOException("No TCP connection guard registered for SIP stack " + name);
        }
        return new BoundedNioTcpMessageProcessor(address, stack, port, guard);
    }
}
