package io.callflow.media;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

import org.HdrHistogram.Histogram;

/**
 * The relay benchmark's phones, in a JVM of their own (in a deployment the phones are off-box, so they must not take
 * the engine's CPU): every call's caller and agent phone send a 20 ms PCMU packet every 20 ms to their engine leg and
 * measure what the engine relays to them from the other phone. Driven by {@link MediaRelayBenchmark} over
 * stdin/stdout; not a test.
 * <p>
 * Cheap by design, so that it keeps up on one core: the phones share one non-blocking UDP socket or a few (packets
 * name their sender in the payload; each engine leg still latches to its phone's socket), and one thread sends what
 * is due, then reads whatever has arrived, then sleeps until the next packet is due but at most {@link #POLL_NANOS}.
 * Polling instead of waiting in epoll means no wake-up per arriving packet, which on loopback the engine's send
 * would pay for (a real engine sends to a NIC). Honest by design: each packet carries the time it was really sent,
 * its receiver takes the time it reads it, loss is counted per packet (a packet sent while measuring counts however
 * late it arrives), and the generator reports how late it sent against its schedule and the longest gaps between
 * its reads (a packet's receive time can be late by at most that gap), so a generator falling behind shows as such.
 */
public final class RelayLoadGenerator {

    static final int PACKET = 172;
    static final long POLL_NANOS = 100_000L;
    /** A receive time is known to within this when the previous read, which emptied the socket, ended this recently. */
    static final long EXACT_NANOS = 300_000L;
    private static final long FRAME_NANOS = 20_000_000L;

    private final DatagramChannel[] sockets;
    private final ConcurrentLinkedQueue<Runnable> commands = new ConcurrentLinkedQueue<>();
    private final ByteBuffer out = ByteBuffer.allocateDirect(PACKET);
    private final ByteBuffer in = ByteBuffer.allocateDirect(2048);
    private volatile boolean running = true;
    // Everything below is used on the generator thread only.
    private final List<InetSocketAddress> targets = new ArrayList<>();
    private int[] sequence = new int[0];
    private long[] lastTransit = new long[0];
    private boolean[] lastExact = new boolean[0];
    private int[] order = new int[0];
    private long[] offset = new long[0];
    private boolean sending;
    private long frameStart;
    private int cursor;
    private boolean measuring;
    private final Histogram transit = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram jitter = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram lateness = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram readGaps = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private final Histogram exactJitter = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
    private long inexact;
    private long lastEmptied;
    private long sent;
    private long received;
    private long lastRead;
    private long measureStart;
    private long measureEnd;
    private long cpuAtStart;
    private long cpu;

    private RelayLoadGenerator(int socketCount) throws IOException {
        sockets = new DatagramChannel[socketCount];
        for (int i = 0; i < socketCount; i++) {
            sockets[i] = DatagramChannel.open();
            sockets[i].setOption(StandardSocketOptions.SO_RCVBUF, 4 << 20);
            sockets[i].setOption(StandardSocketOptions.SO_SNDBUF, 4 << 20);
            sockets[i].bind(new InetSocketAddress("127.0.0.1", 0)).configureBlocking(false);
        }
    }

    /** Argument: how many sockets the phones share. */
    public static void main(String[] args) throws Exception {
        RelayLoadGenerator generator = new RelayLoadGenerator(Integer.parseInt(args[0]));
        StringBuilder ports = new StringBuilder("sockets");
        for (DatagramChannel socket : generator.sockets) {
            ports.append(' ').append(((InetSocketAddress) socket.getLocalAddress()).getPort());
        }
        Thread thread = new Thread(generator::loop, "generator");
        thread.start();
        System.out.println(ports);
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] words = line.split(" ");
            switch (words[0]) {
                case "call" -> generator.on(() -> generator.addCall(Integer.parseInt(words[1]),
                        Integer.parseInt(words[2])));
                case "start" -> generator.on(generator::start);
                case "measure" -> generator.on(generator::measure);
                case "stop" -> System.out.println(generator.stop());
                default -> throw new IllegalArgumentException("unknown command " + line);
            }
            System.out.println("ok " + words[0]);
        }
        generator.running = false;
        thread.join();
    }

    /** Runs {@code task} on the generator thread and waits for it. */
    private void on(Runnable task) {
        on(() -> {
            task.run();
            return null;
        });
    }

    private <T> T on(Supplier<T> task) {
        CompletableFuture<T> done = new CompletableFuture<>();
        commands.add(() -> done.complete(task.get()));
        return done.join();
    }

    private void loop() {
        while (running) {
            for (Runnable command; (command = commands.poll()) != null; ) {
                command.run();
            }
            long now = System.nanoTime();
            long next = now + POLL_NANOS;
            if (sending) {
                next = Math.min(next, sendDue(now));
            }
            read();
            long sleep = next - System.nanoTime();
            if (sleep > 0) {
                LockSupport.parkNanos(sleep);
            }
        }
    }

    /** Phone {@code 2c} (caller) sends to the engine port {@code callerLeg}, phone {@code 2c + 1} to {@code agentLeg}. */
    private void addCall(int callerLeg, int agentLeg) {
        targets.add(new InetSocketAddress("127.0.0.1", callerLeg));
        targets.add(new InetSocketAddress("127.0.0.1", agentLeg));
    }

    /** (Re)starts sending for every phone, each call at a random point of the 20 ms frame as real calls are. */
    private void start() {
        int phones = targets.size();
        int known = sequence.length;
        sequence = Arrays.copyOf(sequence, phones);
        lastTransit = Arrays.copyOf(lastTransit, phones);
        lastExact = Arrays.copyOf(lastExact, phones);
        Arrays.fill(lastTransit, known, phones, -1);
        long[] callOffsets = new long[phones / 2];
        Arrays.setAll(callOffsets, c -> ThreadLocalRandom.current().nextLong(FRAME_NANOS));
        // The agent sends half a frame after the caller: both directions spread over the frame.
        offset = new long[phones];
        Arrays.setAll(offset, p -> (callOffsets[p / 2] + (p % 2) * FRAME_NANOS / 2) % FRAME_NANOS);
        Integer[] byOffset = new Integer[phones];
        Arrays.setAll(byOffset, p -> p);
        Arrays.sort(byOffset, (a, b) -> Long.compare(offset[a], offset[b]));
        order = Arrays.stream(byOffset).mapToInt(Integer::intValue).toArray();
        frameStart = System.nanoTime();
        cursor = 0;
        sending = phones > 0;
    }

    /** Sends every packet due by {@code now}; returns when the next one is due. */
    private long sendDue(long now) {
        while (true) {
            if (cursor == order.length) {
                cursor = 0;
                frameStart += FRAME_NANOS;
            }
            int phone = order[cursor];
            long due = frameStart + offset[phone];
            if (due > now) {
                return due;
            }
            send(phone, due);
            cursor++;
        }
    }

    private void send(int phone, long due) {
        int seq = sequence[phone]++;
        long now = System.nanoTime();
        out.clear();
        out.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(phone);
        out.putInt(phone).putLong(now).put((byte) (measuring ? 1 : 0));
        out.position(PACKET).flip();
        try {
            sockets[phone % sockets.length].send(out, targets.get(phone));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (measuring) {
            sent++;
            lateness.recordValue(Math.max(0, now - due));
        }
    }

    /**
     * Reads everything that has arrived: transit and RFC 3550 section 6.4.1 transit differences per stream. A packet
     * read now arrived after the previous read emptied the sockets, so its receive time is late by at most the time
     * since then: a difference of two packets both known to within {@link #EXACT_NANOS} also goes into the "exact"
     * jitter, which leaves out what a stalled generator (descheduled, a GC pause) would add.
     */
    private void read() {
        long start = System.nanoTime();
        if (measuring && lastRead != 0) {
            readGaps.recordValue(start - lastRead);
        }
        lastRead = start;
        long emptied = lastEmptied;
        try {
            for (DatagramChannel socket : sockets) {
                while (true) {
                    in.clear();
                    if (socket.receive(in) == null) {
                        break;
                    }
                    long now = System.nanoTime();
                    if (in.position() < 25) {
                        continue;
                    }
                    int sender = in.getInt(RtpDecoder.HEADER);
                    long transitNanos = now - in.getLong(RtpDecoder.HEADER + 4);
                    boolean exact = now - emptied <= EXACT_NANOS;
                    if (in.get(RtpDecoder.HEADER + 12) == 1) {
                        received++;
                        transit.recordValue(Math.max(0, transitNanos));
                        if (lastTransit[sender] >= 0) {
                            long difference = Math.abs(transitNanos - lastTransit[sender]);
                            jitter.recordValue(difference);
                            if (exact && lastExact[sender]) {
                                exactJitter.recordValue(difference);
                            } else {
                                inexact++;
                            }
                        }
                    }
                    lastTransit[sender] = transitNanos;
                    lastExact[sender] = exact;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        lastEmptied = System.nanoTime();
    }

    private void measure() {
        transit.reset();
        jitter.reset();
        lateness.reset();
        readGaps.reset();
        exactJitter.reset();
        inexact = 0;
        sent = 0;
        received = 0;
        measuring = true;
        measureStart = System.nanoTime();
        cpuAtStart = processCpu();
    }

    /**
     * Stops counting sends, lets the packets in flight arrive (300 ms: they count as received, not lost) and reports
     * {@code result <elapsed> <sent> <received> <transit p50> <p99> <jitter p50> <p99> <max> <send lateness p99>
     * <max> <gap between reads p99> <max> <generator CPU> <exact jitter p50> <p99> <max> <differences left out of
     * it>}, times in nanoseconds.
     */
    private String stop() throws InterruptedException {
        on(() -> {
            measuring = false;
            measureEnd = System.nanoTime();
            cpu = processCpu() - cpuAtStart;
        });
        Thread.sleep(300);
        return on(() -> String.format("result %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d %d",
                measureEnd - measureStart, sent, received, transit.getValueAtPercentile(50),
                transit.getValueAtPercentile(99), jitter.getValueAtPercentile(50), jitter.getValueAtPercentile(99),
                jitter.getMaxValue(), lateness.getValueAtPercentile(99), lateness.getMaxValue(),
                readGaps.getValueAtPercentile(99), readGaps.getMaxValue(), cpu, exactJitter.getValueAtPercentile(50),
                exactJitter.getValueAtPercentile(99), exactJitter.getMaxValue(), inexact));
    }

    /** CPU time of this whole process (generator thread, JIT, GC); the caller takes differences. */
    private static long processCpu() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }
}
