package io.callflow.media;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.call.LegId;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.ScheduledFuture;
import org.HdrHistogram.Histogram;

/**
 * Relay benchmark: bridged calls through the media engine on loopback, each with a caller and an agent "phone" in
 * this process sending 50 packets/s of 20 ms PCMU to their leg, which the engine relays to the other phone. Steps up
 * the number of concurrent calls and prints, per step, loss, transit time through the relay, added jitter (the
 * RFC 3550 section 6.4.1 transit difference of consecutive packets of one stream), the engine's CPU per 10,000
 * packets/s and memory per call. Not a test: run it with {@code bench/media/run.sh}.
 * <p>
 * Arguments: {@code calls,calls,...} (default 100,250,500,1000), seconds measured per step (default 10), engine event
 * loop threads (default 0 = one per core), {@code nio} to use the NIO transport instead of epoll.
 */
public final class MediaRelayBenchmark {

    private final List<Call> calls = new ArrayList<>();
    private final Histogram transit = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram jitter = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final LongAdder sent = new LongAdder();
    private final LongAdder received = new LongAdder();
    private volatile boolean measuring;
    private final NettyMediaEngine engine;
    private final EventLoopGroup generator;
    private final boolean epoll;

    private MediaRelayBenchmark(int threads, boolean epoll) throws Exception {
        this.epoll = epoll;
        Path root = Files.createTempDirectory("media-bench");
        MediaProperties properties = new MediaProperties("127.0.0.1", "127.0.0.1", 34000, 39999,
                Duration.ofSeconds(30), InbandDtmf.OFF, RecordingChannels.STEREO, root.resolve("recordings"), threads,
                epoll);
        ContentProperties content = new ContentProperties(root, root, root, root, false, Duration.ofMillis(500));
        engine = new NettyMediaEngine(properties, new PromptLibrary(content),
                new CallEventPublisher(new CallLanes(Runnable::run), event -> { }), new SimpleMeterRegistry(), root);
        java.util.concurrent.ThreadFactory named = r -> new Thread(r, "generator");
        generator = epoll ? new EpollEventLoopGroup(1, named) : new NioEventLoopGroup(1, named);
    }

    public static void main(String[] args) throws Exception {
        String[] steps = (args.length > 0 ? args[0] : "100,250,500,1000").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        boolean epoll = !(args.length > 3 && args[3].equals("nio")) && Epoll.isAvailable();
        MediaRelayBenchmark bench = new MediaRelayBenchmark(threads, epoll);
        System.out.printf("media.setup transport=%s engine-threads=%s cores=%d%n", epoll ? "epoll" : "nio",
                threads == 0 ? "auto" : threads, Runtime.getRuntime().availableProcessors());
        System.out.println("media.columns calls pps-relayed loss transit-p50-ms transit-p99-ms jitter-p50-ms"
                + " jitter-p99-ms jitter-max-ms engine-cpu-%-per-10k-pps heap-kib-per-call");
        try {
            for (String step : steps) {
                bench.run(Integer.parseInt(step.trim()), seconds);
            }
        } finally {
            bench.close();
        }
    }

    private void run(int target, int seconds) throws Exception {
        long heapBefore = heapAfterGc();
        int added = target - calls.size();
        while (calls.size() < target) {
            calls.add(new Call(calls.size()));
        }
        long heapPerCall = added > 0 ? Math.max(0, heapAfterGc() - heapBefore) / added : 0;
        calls.forEach(Call::start);
        Thread.sleep(2000); // warm-up: JIT, latching, buffers
        transit.reset();
        jitter.reset();
        sent.reset();
        received.reset();
        long cpuBefore = engineCpuNanos();
        long start = System.nanoTime();
        measuring = true;
        Thread.sleep(seconds * 1000L);
        measuring = false;
        long elapsed = System.nanoTime() - start;
        long cpu = engineCpuNanos() - cpuBefore;
        Thread.sleep(300); // packets in flight when measuring stopped still count as received, not lost
        double pps = received.sum() * 1e9 / elapsed;
        double loss = sent.sum() == 0 ? 0 : 1 - (double) received.sum() / sent.sum();
        double cpuPer10k = cpu * 100.0 / elapsed / (pps / 10_000);
        System.out.printf("media.step %d %.0f %.4f%% %.3f %.3f %.3f %.3f %.3f %.1f %d%n", target, pps,
                Math.max(0, loss) * 100, ms(transit.getValueAtPercentile(50)), ms(transit.getValueAtPercentile(99)),
                ms(jitter.getValueAtPercentile(50)), ms(jitter.getValueAtPercentile(99)), ms(jitter.getMaxValue()),
                cpuPer10k, heapPerCall / 1024);
    }

    private void close() {
        calls.forEach(Call::stop);
        calls.forEach(call -> {
            engine.release(call.callerLeg);
            engine.release(call.agentLeg);
        });
        System.out.printf("media.teardown legs-open=%d%n", engine.openLegs());
        engine.close();
        generator.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long engineCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("media-"))) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    /** One bridged call: two phones, two engine legs. */
    private final class Call {

        private static final AtomicInteger NEXT = new AtomicInteger();
        final MediaLeg callerLeg;
        final MediaLeg agentLeg;
        final Phone caller;
        final Phone agent;

        Call(int index) throws Exception {
            CallId id = new CallId("bench-" + NEXT.incrementAndGet());
            caller = new Phone();
            agent = new Phone();
            callerLeg = engine.answer(id, new LegId(id.value() + "-caller"), sdp(caller.port()));
            agentLeg = engine.offer(id, new LegId(id.value() + "-agent"));
            engine.answered(agentLeg, sdp(agent.port()));
            engine.bridge(id, agentLeg.legId());
            caller.target = new InetSocketAddress("127.0.0.1", Sdp.parse(callerLeg.localSdp()).port());
            agent.target = new InetSocketAddress("127.0.0.1", Sdp.parse(agentLeg.localSdp()).port());
        }

        void start() {
            // Spread the calls over the 20 ms frame, as real phones are.
            long offset = ThreadLocalRandomHolder.next(20_000_000L);
            caller.start(offset);
            agent.start(offset + 10_000_000L);
        }

        void stop() {
            caller.stop();
            agent.stop();
        }

        private static String sdp(int port) {
            return "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port
                    + " RTP/AVP 0\r\n";
        }
    }

    /** A phone: sends a 20 ms PCMU packet every 20 ms with its send time in the payload, measures what arrives. */
    private final class Phone extends SimpleChannelInboundHandler<DatagramPacket> {

        final Channel channel;
        final int ssrc = ThreadLocalRandomHolder.nextInt();
        volatile InetSocketAddress target;
        private ScheduledFuture<?> sending;
        private int sequence;
        private long lastTransit = -1;

        Phone() throws InterruptedException {
            channel = new Bootstrap().group(generator)
                    .channelFactory(epoll ? EpollDatagramChannel::new : NioDatagramChannel::new)
                    .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .option(ChannelOption.SO_RCVBUF, 1 << 20).handler(this)
                    .bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        }

        int port() {
            return ((InetSocketAddress) channel.localAddress()).getPort();
        }

        void start(long offsetNanos) {
            if (sending == null) {
                sending = channel.eventLoop().scheduleAtFixedRate(this::send, offsetNanos, 20_000_000L,
                        TimeUnit.NANOSECONDS);
            }
        }

        void stop() {
            if (sending != null) {
                sending.cancel(false);
            }
            channel.close();
        }

        private void send() {
            ByteBuf packet = channel.alloc().directBuffer(172);
            packet.writeByte(0x80).writeByte(0).writeShort(sequence).writeInt(sequence * 160).writeInt(ssrc);
            sequence++;
            packet.writeLong(System.nanoTime());
            packet.writeZero(152);
            channel.writeAndFlush(new DatagramPacket(packet, target), channel.voidPromise());
            if (measuring) {
                sent.increment();
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket datagram) {
            ByteBuf in = datagram.content();
            if (in.readableBytes() < 20) {
                return;
            }
            long transitNanos = System.nanoTime() - in.getLong(in.readerIndex() + 12);
            if (measuring) {
                received.increment();
                synchronized (transit) {
                    transit.recordValue(Math.max(0, transitNanos));
                    if (lastTransit >= 0) {
                        jitter.recordValue(Math.abs(transitNanos - lastTransit));
                    }
                }
            }
            lastTransit = transitNanos;
        }
    }

    /** Random numbers without a shared lock. */
    private static final class ThreadLocalRandomHolder {
        static long next(long bound) {
            return java.util.concurrent.ThreadLocalRandom.current().nextLong(bound);
        }

        static int nextInt() {
            return java.util.concurrent.ThreadLocalRandom.current().nextInt();
        }
    }
}
