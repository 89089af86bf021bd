package io.callflow.sip;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

import com.sun.management.OperatingSystemMXBean;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import javax.sip.SipFactory;
import javax.sip.SipStack;

/**
 * What idle SIP-over-TCP connections cost: a bare JAIN-SIP stack with Callflow's TCP settings,
 * either the stack's default transport ({@code blocking}) or the bounded NIO one ({@code nio}), and N connections
 * from 127.0.0.2-11 that send nothing. Prints the process's threads, file descriptors (the clients' own N subtracted),
 * heap after a full GC and CPU while idle, each against the figures before the connections. Run with the test
 * classpath: {@code java -cp <test classpath> io.callflow.sip.TcpIdleConnectionsBenchmark blocking|nio 2000}.
 */
public final class TcpIdleConnectionsBenchmark {

    public static void main(String[] args) throws Exception {
        String transport = args.length > 0 ? args[0] : "nio";
        int connections = args.length > 1 ? Integer.parseInt(args[1]) : 2000;
        int port = RunningCallflow.freePort();
        SipFactory factory = SipFactory.getInstance();
        factory.setPathName("gov.nist");
        Properties properties = new Properties();
        String name = "bench-" + transport;
        properties.setProperty("javax.sip.STACK_NAME", name);
        properties.setProperty("gov.nist.javax.sip.THREAD_POOL_SIZE", "4");
        properties.setProperty("gov.nist.javax.sip.STACK_LOGGER", CappedStackLogger.class.getName());
        properties.setProperty("gov.nist.javax.sip.MAX_MESSAGE_SIZE", "65536");
        TcpConnectionGuard guard = null;
        if (transport.equals("nio")) {
            var settings = new SipProperties.Tcp(100_000, 100_000, Duration.ofHours(1), Duration.ofHours(1),
                    Duration.ofHours(1));
            guard = new TcpConnectionGuard(settings, List.of(), Clock.systemUTC(), new SimpleMeterRegistry());
            properties.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY",
                    BoundedNioMessageProcessorFactory.class.getName());
            BoundedNioMessageProcessorFactory.register(name, guard);
        }
        SipStack stack = factory.createSipStack(properties);
        stack.createSipProvider(stack.createListeningPoint("127.0.0.1", port, "tcp"));
        Thread.sleep(1000);
        Snapshot before = Snapshot.take(0);

        List<Socket> clients = new ArrayList<>();
        for (int i = 0; i < connections; i++) {
            Socket socket = new Socket();
            socket.bind(new InetSocketAddress("127.0.0." + (2 + i % 10), 0));
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
            clients.add(socket);
        }
        Thread.sleep(3000);
        Snapshot idle = Snapshot.take(connections);
        Thread.sleep(20_000);
        Snapshot later = Snapshot.take(connections);

        System.out.printf("%s, %d idle connections: threads %d -> %d, server fds %d -> %d, heap %.1f -> %.1f MiB "
                + "(%.1f KiB per connection), CPU while idle %.1f ms/s%n", transport, connections, before.threads,
                idle.threads, before.fds, idle.fds, before.heapMiB, idle.heapMiB,
                (idle.heapMiB - before.heapMiB) * 1024 / connections,
                (later.cpuNanos - idle.cpuNanos) / 1e6 / ((later.at - idle.at) / 1e9));
        for (Socket client : clients) {
            client.close();
        }
        Thread.sleep(3000);
        Snapshot closed = Snapshot.take(0);
        System.out.printf("%s, after the clients closed: threads %d, server fds %d%n", transport, closed.threads,
                closed.fds);
        stack.stop();
        if (guard != null) {
            guard.close();
        }
        System.exit(0);
    }

    private record Snapshot(int threads, long fds, double heapMiB, long cpuNanos, long at) {

        static Snapshot take(int clientSockets) throws Exception {
            System.gc();
            Thread.sleep(500);
            long fds;
            try (var list = Files.list(Path.of("/proc/self/fd"))) {
                fds = list.count() - clientSockets;
            }
            var memory = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
            var os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            return new Snapshot(ManagementFactory.getThreadMXBean().getThreadCount(), fds,
                    memory.getUsed() / 1048576.0, os.getProcessCpuTime(), System.nanoTime());
        }
    }
}
