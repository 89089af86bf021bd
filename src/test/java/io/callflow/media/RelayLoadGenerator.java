package io.callflow.media;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollMode;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import org.HdrHistogram.Histogram;

/**
 * The relay benchmark's phones, in a JVM of their own (in a deployment the phones are off-box, so they must not take
 * the engine's CPU): every call's caller and agent phone send a 20 ms PCMU packet every 20 ms to their engine leg and
 * measure what the engine relays to them from the other phone. Driven by {@link MediaRelayBenchmark} over
 * stdin/stdout; not a test.
 * <p>
 * Cheap by design, so that it can keep up on one core: the phones share one UDP socket or a few (packets name their
 * sender in the payload; each engine leg still latches to its phone's socket), all sending and receiving happens on
 * one event loop, the packets due at a wake-up leave in one {@code sendmmsg} per socket and arrivals are read with
 * {@code recvmmsg}. Honest by design: each packet carries
 * the time it was really written, its receiver takes the time it reads it, loss is counted per packet (a packet sent
 * while measuring counts however late it arrives), and the generator reports how late it sent against its schedule
 * and how many packets it found waiting per read, so that a generator falling behind shows as such.
 */
public final class RelayLoadGenerator {

    static final int PACKET = 172;
    private static final long FRAME_NANOS = 20_000_000L;
    private static final int BATCH = 32;

    private final EventLoopGroup group;
    private final EventLoop loop;
    private final Channel[] sockets;
    private final boolean[] written;
    private final List<InetSocketAddress> targets = new ArrayList<>();
    // Everything below is used on the event loop only.
    private int[] sequence = new int[0];
    private long[] lastTransit = new long[0];
    private int[] order = new int[0];
    private long[] offset = new long[0];
    private long frameStart;
    private int cursor;
    private io.netty.util.concurrent.ScheduledFuture<?> pacing;
    private boolean measuring;
    private final Histogram transit = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram jitter = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long sent;
    private long received;
    private long reads;
    private long readBatches;
    private int batch;
    private int maxBatch;
    private long measureStart;
    private long measureEnd;
    private long cpuAtStart;
    private long cpu;

    private RelayLoadGenerator(int socketCount, boolean epoll) throws InterruptedException {
        ThreadFactory named = r -> new Thread(r, "generator");
        group = epoll ? new EpollEventLoopGroup(1, named) : new NioEventLoopGroup(1, named);
        loop = group.next();
        sockets = new Channel[socketCount];
        written = new boolean[socketCount];
        Receiver receiver = new Receiver();
        for (int i = 0; i < socketCount; i++) {
            Bootstrap bootstrap = new Bootstrap().group(loop)
                    .channelFactory(epoll ? EpollDatagramChannel::new : NioDatagramChannel::new)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.SO_RCVBUF, 4 << 20).option(ChannelOption.SO_SNDBUF, 4 << 20)
                    .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(PACKET * BATCH).maxMessagesPerRead(1))
                    .handler(receiver);
            if (epoll) {
                // recvmmsg: up to BATCH datagrams per system call when several are waiting; level-triggered, so one
                // call per wake-up (edge-triggered would read again until the socket is empty: a second, empty call).
                bootstrap.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, PACKET)
                        .option(EpollChannelOption.EPOLL_MODE, EpollMode.LEVEL_TRIGGERED);
            }
            sockets[i] = bootstrap.bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }
    }

    /** Arguments: number of sockets the phones share, {@code epoll} or {@code nio}. */
    public static void main(String[] args) throws Exception {
        int socketCount = Integer.parseInt(args[0]);
        boolean epoll = args[1].equals("epoll") && Epoll.isAvailable();
        RelayLoadGenerator generator = new RelayLoadGenerator(socketCount, epoll);
        StringBuilder ports = new StringBuilder("sockets");
        for (Channel socket : generator.sockets) {
            ports.append(' ').append(((InetSocketAddress) socket.localAddress()).getPort());
        }
        System.out.println(ports);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "call" -> generator.addCall(Integer.parseInt(words[1]), Integer.parseInt(words[2]));
                case "start" -> generator.on(generator::start);
                case "measure" -> generator.on(generator::measure);
                case "stop" -> System.out.println(generator.stop());
                default -> throw new IllegalArgumentException("unknown command " + line);
            }
            System.out.println("ok " + words[0]);
        }
        generator.group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
    }

    /** Phone {@code 2c} (caller) sends to the engine port {@code callerLeg}, phone {@code 2c + 1} to {@code agentLeg}. */
    private void addCall(int callerLeg, int agentLeg) {
        targets.add(new InetSocketAddress("127.0.0.1", callerLeg));
        targets.add(new InetSocketAddress("127.0.0.1", agentLeg));
    }

    private void on(Runnable task) throws Exception {
        loop.submit(task).get();
    }

    private <T> T on(Callable<T> task) throws Exception {
        return loop.submit(task).get();
    }

    /** (Re)starts sending for every phone, each call at a random point of the 20 ms frame as real calls are. */
    private void start() {
        if (pacing != null) {
            pacing.cancel(false);
        }
        int phones = targets.size();
        int known = sequence.length;
        sequence = Arrays.copyOf(sequence, phones);
        lastTransit = Arrays.copyOf(lastTransit, phones);
        Arrays.fill(lastTransit, known, phones, -1);
        long[] callOffsets = new long[phones / 2];
        Arrays.setAll(callOffsets, c -> ThreadLocalRandom.current().nextLong(FRAME_NANOS));
        // The agent sends half a frame after the caller: both directions spread over the frame.
        Integer[] byOffset = new Integer[phones];
        Arrays.setAll(byOffset, p -> p);
        offset = new long[phones];
        Arrays.setAll(offset, p -> (callOffsets[p / 2] + (p % 2) * FRAME_NANOS / 2) % FRAME_NANOS);
        Arrays.sort(byOffset, (a, b) -> Long.compare(offset[a], offset[b]));
        order = Arrays.stream(byOffset).mapToInt(Integer::intValue).toArray();
        frameStart = System.nanoTime();
        cursor = 0;
        pace();
    }

    /** Sends every packet due by now, one flush (one sendmmsg) per socket, and sleeps until the next is due. */
    private void pace() {
        long now = System.nanoTime();
        while (true) {
            if (cursor == order.length) {
                cursor = 0;
                frameStart += FRAME_NANOS;
            }
            int phone = order[cursor];
            long due = frameStart + offset[phone];
            if (due > now) {
                break;
            }
            send(phone, due);
            cursor++;
        }
        for (int i = 0; i < sockets.length; i++) {
            if (written[i]) {
                written[i] = false;
                sockets[i].flush();
            }
        }
        long next = frameStart + offset[order[cursor]];
        pacing = loop.schedule(this::pace, Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void send(int phone, long due) {
        int socket = phone % sockets.length;
        Channel channel = sockets[socket];
        ByteBuf packet = channel.alloc().directBuffer(PACKET);
        int seq = sequence[phone]++;
        long now = System.nanoTime();
        packet.writeByte(0x80).writeByte(0).writeShort(seq).writeInt(seq * 160).writeInt(phone);
        packet.writeInt(phone).writeLong(now).writeBoolean(measuring).writeZero(PACKET - 25);
        channel.write(new DatagramPacket(packet, targets.get(phone)), channel.voidPromise());
        written[socket] = true;
        if (measuring) {
            sent++;
            lateness.recordValue(Math.max(0, now - due));
        }
    }

    private void measure() {
        transit.reset();
        jitter.reset();
        lateness.reset();
        sent = 0;
        received = 0;
        reads = 0;
        readBatches = 0;
        maxBatch = 0;
        measuring = true;
        measureStart = System.nanoTime();
        cpuAtStart = processCpu();
    }

    /**
     * Stops counting sends, lets the packets in flight arrive (300 ms: they count as received, not lost) and reports
     * {@code result <elapsed-ns> <sent> <received> <transit p50> <p99> <jitter p50> <p99> <max>
     * <send lateness p99> <max> <datagrams per read, mean> <max> <generator CPU ns>}, times in nanoseconds.
     */
    private String stop() throws Exception {
        on(() -> {
            measuring = false;
            measureEnd = System.nanoTime();
            cpu = processCpu() - cpuAtStart;
        });
        Thread.sleep(300);
        return on(() -> String.format("result %d %d %d %d %d %d %d %d %d %d %.2f %d %d", measureEnd - measureStart,
                sent, received, transit.getValueAtPercentile(50), transit.getValueAtPercentile(99),
                jitter.getValueAtPercentile(50), jitter.getValueAtPercentile(99), jitter.getMaxValue(),
                lateness.getValueAtPercentile(99), lateness.getMaxValue(),
                readBatches == 0 ? 0.0 : (double) reads / readBatches, maxBatch, cpu));
    }

    /** CPU time of this whole process (event loop, JIT, GC); the caller takes differences. */
    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    /** What the engine relays to the phones: transit and RFC 3550 section 6.4.1 transit differences per stream. */
    @Sharable
    private final class Receiver extends ChannelInboundHandlerAdapter {

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            DatagramPacket datagram = (DatagramPacket) msg;
            try {
                ByteBuf in = datagram.content();
                if (in.readableBytes() < 25) {
                    return;
                }
                long now = System.nanoTime();
                int at = in.readerIndex() + RtpDecoder.HEADER;
                int sender = in.getInt(at);
                long transitNanos = now - in.getLong(at + 4);
                if (in.getBoolean(at + 12)) {
                    received++;
                    transit.recordValue(Math.max(0, transitNanos));
                    if (lastTransit[sender] >= 0) {
                        jitter.recordValue(Math.abs(transitNanos - lastTransit[sender]));
                    }
                }
                lastTransit[sender] = transitNanos;
                batch++;
            } finally {
                datagram.release();
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (batch > 0 && measuring) {
                reads += batch;
                readBatches++;
                maxBatch = Math.max(maxBatch, batch);
            }
            batch = 0;
        }
    }
}
