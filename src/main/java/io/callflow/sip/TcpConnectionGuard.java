package io.callflow.sip;

import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bounds inbound SIP-over-TCP connections (settings {@code callflow.sip.tcp.*}): admits a new connection only while
 * its source address and the node are under their limits (trunks are exempt), and sweeps the open ones, closing a
 * connection that sent no complete message within the first-message timeout, a message that stays incomplete past the
 * message timeout (slowloris), or a connection whose peer has sent nothing for the idle timeout. JAIN-SIP's NIO transport has none of this
 * but an idle timer (its {@code MAX_CONNECTIONS} and {@code READ_TIMEOUT} only apply to the thread-per-connection
 * transport), so it is written here and plugged in through {@link BoundedNioMessageProcessorFactory}.
 */
final class TcpConnectionGuard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TcpConnectionGuard.class);
    /** One warning per source (or for the node's limit) per this long; the refusals in between are counted in it. */
    private static final Duration WARNING_INTERVAL = Duration.ofMinutes(1);
    private static final int MAX_WARNED_SOURCES = 10_000;

    /** Why a connection was refused or closed; the metric's {@code reason} tag. */
    enum Reason {
        PER_SOURCE("per-source"), TOTAL("total"), FIRST_MESSAGE("first-message"), MESSAGE("message"), IDLE("idle");

        final String tag;

        Reason(String tag) {
            this.tag = tag;
        }
    }

    private final SipProperties.Tcp settings;
    private final List<Cidr> exempt;
    private final Clock clock;
    private final Set<GuardedNioTcpMessageChannel> open = ConcurrentHashMap.newKeySet();
    private final Map<InetAddress, AtomicInteger> perSource = new ConcurrentHashMap<>();
    private final AtomicInteger total = new AtomicInteger();
    private final Map<Reason, Counter> refused = new ConcurrentHashMap<>();
    private final Map<Reason, Counter> timedOut = new ConcurrentHashMap<>();
    private final Cache<String, AtomicLong> warned;
    private final ScheduledExecutorService sweeper;

    TcpConnectionGuard(SipProperties.Tcp settings, List<Cidr> exempt, Clock clock, MeterRegistry meters) {
        this.settings = settings;
        this.exempt = List.copyOf(exempt);
        this.clock = clock;
        for (Reason reason : List.of(Reason.PER_SOURCE, Reason.TOTAL)) {
            refused.put(reason, Counter.builder("callflow.sip.tcp.refused").tag("reason", reason.tag)
                    .description("Inbound TCP connections closed at once because a connection limit was reached")
                    .register(meters));
        }
        for (Reason reason : List.of(Reason.FIRST_MESSAGE, Reason.MESSAGE, Reason.IDLE)) {
            timedOut.put(reason, Counter.builder("callflow.sip.tcp.timeouts").tag("reason", reason.tag)
                    .description("Inbound TCP connections closed by a timeout").register(meters));
        }
        meters.gauge("callflow.sip.tcp.connections", total, AtomicInteger::get);
        this.warned = Caffeine.newBuilder().expireAfterWrite(WARNING_INTERVAL).maximumSize(MAX_WARNED_SOURCES).build();
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sip-tcp-guard");
            t.setDaemon(true);
            return t;
        });
        long period = sweepPeriod(settings).toMillis();
        sweeper.scheduleWithFixedDelay(this::sweepSafely, period, period, TimeUnit.MILLISECONDS);
    }

    /** A quarter of the shortest timeout, between 50 ms and 1 s: a timeout fires at most a quarter late. */
    static Duration sweepPeriod(SipProperties.Tcp settings) {
        Duration shortest = settings.firstMessageTimeout();
        for (Duration d : List.of(settings.messageTimeout(), settings.idleTimeout())) {
            if (d.compareTo(shortest) < 0) {
                shortest = d;
            }
        }
        long quarter = shortest.toMillis() / 4;
        return Duration.ofMillis(Math.max(50, Math.min(1000, quarter)));
    }

    /**
     * Whether a connection just accepted from {@code source} may stay open. Only the stack's one selector thread
     * accepts, and only {@link #opened} counts, so the check and the count cannot race with another accept. Trunks
     * are never refused: they are trusted by address, and a TCP source cannot be spoofed.
     */
    boolean admit(InetAddress source) {
        if (isExempt(source)) {
            return true;
        }
        AtomicInteger fromSource = perSource.get(source);
        if (fromSource != null && fromSource.get() >= settings.maxConnectionsPerSource()) {
            refuse(Reason.PER_SOURCE, source, "it has " + settings.maxConnectionsPerSource()
                    + " open (callflow.sip.tcp.max-connections-per-source)");
            return false;
        }
        if (total.get() >= settings.maxConnections()) {
            refuse(Reason.TOTAL, null, "the node has " + settings.maxConnections()
                    + " open (callflow.sip.tcp.max-connections)");
            return false;
        }
        return true;
    }

    /** An admitted connection is open and counted until {@link #released}. */
    void opened(GuardedNioTcpMessageChannel channel) {
        open.add(channel);
        total.incrementAndGet();
        if (!isExempt(channel.source())) {
            perSource.computeIfAbsent(channel.source(), s -> new AtomicInteger()).incrementAndGet();
        }
    }

    /** A connection admitted earlier has closed, whatever closed it. */
    void released(GuardedNioTcpMessageChannel channel) {
        if (!open.remove(channel)) {
            return;
        }
        total.decrementAndGet();
        InetAddress source = channel.source();
        if (!isExempt(source)) {
            AtomicInteger fromSource = perSource.get(source);
            if (fromSource != null && fromSource.decrementAndGet() <= 0) {
                perSource.remove(source, fromSource);
            }
        }
    }

    long now() {
        return clock.millis();
    }

    int openConnections() {
        return total.get();
    }

    private void refuse(Reason reason, InetAddress source, String why) {
        refused.get(reason).increment();
        String who = source == null ? "any source" : source.getHostAddress();
        AtomicLong since = warned.asMap().putIfAbsent(reason.tag + " " + who, new AtomicLong());
        if (since == null) {
            log.warn("TCP connection from {} refused: {}; further refusals for {} are counted in "
                    + "callflow.sip.tcp.refused and not logged for {}", source == null ? "a peer" : who, why, who,
                    WARNING_INTERVAL);
        } else {
            since.incrementAndGet();
        }
    }

    private void sweepSafely() {
        try {
            sweep();
        } catch (RuntimeException e) {
            log.error("TCP connection sweep failed", e);
        }
    }

    /** Closes the connections whose time is up; runs on the guard's own thread. */
    void sweep() {
        long now = clock.millis();
        for (GuardedNioTcpMessageChannel channel : open) {
            if (channel.closing() || !channel.isSocketOpen()) {
                // Being closed by the stack, or closed by the stack without clearing its tables (it does so on a
                // malformed mandatory header): closing the channel clears them and releases its count.
                channel.closeFromGuard(now);
                continue;
            }
            Reason expired = expired(channel, now);
            if (expired != null) {
                timedOut.get(expired).increment();
                if (log.isDebugEnabled()) {
                    log.debug("TCP connection from {}:{} closed ({} timeout)", channel.source().getHostAddress(),
                            channel.getPeerPort(), expired.tag);
                }
                channel.closeFromGuard(now);
            }
        }
    }

    private Reason expired(GuardedNioTcpMessageChannel channel, long now) {
        SipStreamFramer framer = channel.framer();
        if (framer.messagesCompleted() == 0 && now - channel.acceptedAt() > settings.firstMessageTimeout().toMillis()) {
            return Reason.FIRST_MESSAGE;
        }
        if (framer.inMessage() && now - framer.messageStartedAt() > settings.messageTimeout().toMillis()) {
            return Reason.MESSAGE;
        }
        if (now - channel.lastActivity() > settings.idleTimeout().toMillis()) {
            return Reason.IDLE;
        }
        return null;
    }

    private boolean isExempt(InetAddress source) {
        for (Cidr range : exempt) {
            if (range.contains(source)) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
