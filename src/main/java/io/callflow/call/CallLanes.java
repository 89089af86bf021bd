package io.callflow.call;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Runs each call's work in order on that call's own lane while different calls run in parallel on a shared
 * executor, so protocol threads only hand work off. Lanes are removed as soon as they run empty, so a finished
 * call leaves nothing behind. A task that fails for a passing reason ({@link LaneRetryPolicy}) is tried again later
 * with the call's later work held behind it, without keeping a thread while it waits.
 */
public final class CallLanes {

    private static final Logger log = LoggerFactory.getLogger(CallLanes.class);

    private final Executor executor;
    private final Map<CallId, Lane> lanes = new ConcurrentHashMap<>();
    private final Timer wait;
    private final LaneRetryPolicy retry;
    private final ScheduledExecutorService retryTimer;

    public CallLanes(Executor executor) {
        this(executor, new SimpleMeterRegistry());
    }

    public CallLanes(Executor executor, MeterRegistry meters) {
        this(executor, meters, LaneRetryPolicy.none());
    }

    public CallLanes(Executor executor, MeterRegistry meters, LaneRetryPolicy retry) {
        this.executor = Objects.requireNonNull(executor);
        this.retry = Objects.requireNonNull(retry);
        this.retryTimer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "call-lane-retry");
            t.setDaemon(true);
            return t;
        });
        // How long a call's work waits for a free lane thread: the first sign that the pool is too small.
        this.wait = Timer.builder("callflow.call.lane.wait").description("Time a call's work waits for a lane thread")
                .publishPercentileHistogram().register(meters);
    }

    /** Queue a task on the call's lane; it runs after every task queued before it for the same call. */
    public void submit(CallId callId, Runnable task) {
        Objects.requireNonNull(task);
        while (true) {
            Lane lane = lanes.computeIfAbsent(callId, Lane::new);
            if (lane.offer(task)) {
                return;
            }
            // The lane closed itself between lookup and offer; it is gone from the map, so take a fresh one.
            lanes.remove(callId, lane);
        }
    }

    /** Number of calls with queued or running work; zero when the platform is idle. */
    public int activeLanes() {
        return lanes.size();
    }

    /** Whether the call has work queued, running or waiting to be retried. */
    public boolean busy(CallId callId) {
        return lanes.containsKey(callId);
    }

    /** Number of calls whose work waits for a passing failure (the database) to clear. */
    public int waitingLanes() {
        return (int) lanes.values().stream().filter(lane -> lane.failingSince != 0).count();
    }

    /** Stops the retry timer; lanes waiting for a retry are abandoned (the node is shutting down). */
    public void close() {
        retryTimer.shutdownNow();
    }

    private final class Lane implements Runnable {
        private final CallId callId;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;
        private boolean closed;
        private long scheduledAt;
        /** System.nanoTime of the head task's first passing failure, 0 while nothing fails. */
        private volatile long failingSince;
        private int attempts;
        /** The call's work could not be done within the retry limit: further passing failures are not retried. */
        private boolean gaveUp;

        Lane(CallId callId) {
            this.callId = callId;
        }

        synchronized boolean offer(Runnable task) {
            if (closed) {
                return false;
            }
            queue.add(task);
            if (!running) {
                running = true;
                scheduledAt = System.nanoTime();
                executor.execute(this);
            }
            return true;
        }

        @Override
        public void run() {
            wait.record(System.nanoTime() - scheduledAt, TimeUnit.NANOSECONDS);
            Runnable task;
            while ((task = next()) != null) {
                MDC.put("callId", callId.value());
                try {
                    task.run();
                    if (failingSince != 0) {
                        log.debug("Call {}: work resumed after {} retries", callId, attempts);
                        failingSince = 0;
                        attempts = 0;
                    }
                } catch (RuntimeException e) {
                    if (retryLater(task, e)) {
                        return;
                    }
                } finally {
                    MDC.remove("callId");
                }
            }
        }

        /** Returns true when the task was put back to run again later (the lane keeps its place and order). */
        private boolean retryLater(Runnable task, RuntimeException e) {
            if (!retry.retryable().test(e)) {
                log.error("Call {}: a task on the call's lane failed: {}", callId, e.toString(), e);
                return false;
            }
            if (gaveUp) {
                log.debug("Call {}: work dropped, the call's retries are used up: {}", callId, e.toString());
                return false;
            }
            long now = System.nanoTime();
            if (failingSince == 0) {
                failingSince = now;
                // The outage itself is logged once by whoever detects it; per call, only at debug.
                log.debug("Call {}: {}; the call's work waits and is retried", callId, e.getMessage());
            }
            if (now - failingSince >= retry.giveUpAfter().toNanos()) {
                gaveUp = true;
                log.error("Call {}: gave up after {} s of retries ({}); ending the call", callId,
                        retry.giveUpAfter().toSeconds(), e.getMessage());
                failingSince = 0;
                try {
                    retry.gaveUp().accept(callId, e);
                } catch (RuntimeException failure) {
                    log.error("Call {}: ending the call after the retries failed: {}", callId, failure.toString());
                }
                return false;
            }
            attempts++;
            pushBack(task);
            try {
                retryTimer.schedule(() -> {
                    scheduledAt = System.nanoTime();
                    executor.execute(this);
                }, retry.delayAfter(attempts).toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
                log.debug("Call {}: not retried, shutting down", callId);
            }
            return true;
        }

        /** The failed task goes back to the head; {@code running} stays set, so offers queue behind it. */
        private synchronized void pushBack(Runnable task) {
            queue.addFirst(task);
        }

        private synchronized Runnable next() {
            Runnable task = queue.poll();
            if (task == null) {
                running = false;
                closed = true;
                lanes.remove(callId, this);
            }
            return task;
        }
    }
}
