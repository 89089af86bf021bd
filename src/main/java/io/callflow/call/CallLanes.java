package io.callflow.call;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
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
 * call leaves nothing behind.
 * <p>
 * A task that fails for a passing reason ({@link LaneRetryPolicy}: the database is away) is tried again later, and
 * the call's later <em>held</em> work (event deliveries to the flow) waits behind it so the flow sees the call's events
 * in order; no thread is kept while it waits. Work submitted with {@link #submit} is not held: it is the call's
 * signalling (a BYE to answer within RFC 3261's transaction timers), which never waits for the database.
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

    /**
     * Queue a task on the call's lane; it runs after every task queued before it for the same call, and ahead of held
     * work that waits for a retry.
     */
    public void submit(CallId callId, Runnable task) {
        add(callId, task, false);
    }

    /**
     * Queue work that keeps its place behind a task of the call that waits for a retry (delivering a call event to
     * the flow): while the database is away, the call's events reach the flow late but in order.
     */
    public void submitHeld(CallId callId, Runnable task) {
        add(callId, task, true);
    }

    private void add(CallId callId, Runnable task, boolean held) {
        Objects.requireNonNull(task);
        Work work = new Work(task, held);
        while (true) {
            Lane lane = lanes.computeIfAbsent(callId, Lane::new);
            if (lane.offer(work)) {
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

    /** A task and whether it keeps its place behind a task that waits for a retry. */
    private record Work(Runnable task, boolean held) {
    }

    private final class Lane implements Runnable {
        private final CallId callId;
        private final ArrayDeque<Work> queue = new ArrayDeque<>();
        private boolean running;
        private boolean closed;
        /** A task waits for its retry: held work stays queued until the retry timer releases the lane. */
        private boolean paused;
        private long scheduledAt;
        /** System.nanoTime of the failing task's first passing failure, 0 while nothing fails. */
        private volatile long failingSince;
        private int attempts;
        /** The call's work could not be done within the retry limit: further passing failures are not retried. */
        private boolean gaveUp;

        Lane(CallId callId) {
            this.callId = callId;
        }

        synchronized boolean offer(Work work) {
            if (closed) {
                return false;
            }
            queue.add(work);
            if (!running && (!paused || !work.held())) {
                start();
            }
            return true;
        }

        private void start() {
            running = true;
            scheduledAt = System.nanoTime();
            executor.execute(this);
        }

        /** The retry is due: held work may run again. */
        synchronized void resume() {
            paused = false;
            if (!running) {
                start();
            }
        }

        @Override
        public void run() {
            wait.record(System.nanoTime() - scheduledAt, TimeUnit.NANOSECONDS);
            Work work;
            while ((work = next()) != null) {
                MDC.put("callId", callId.value());
                try {
                    work.task().run();
                    if (work.held() && failingSince != 0) {
                        log.debug("Call {}: work resumed after {} retries", callId, attempts);
                        failingSince = 0;
                        attempts = 0;
                    }
                } catch (RuntimeException e) {
                    retryLater(work, e);
                } finally {
                    MDC.remove("callId");
                }
            }
        }

        /** Puts the work back to run again later if the failure is a passing one and the retry limit allows. */
        private void retryLater(Work work, RuntimeException e) {
            if (!retry.retryable().test(e)) {
                log.error("Call {}: a task on the call's lane failed: {}", callId, e.toString(), e);
                return;
            }
            if (gaveUp) {
                log.debug("Call {}: work dropped, the call's retries are used up: {}", callId, e.toString());
                return;
            }
            long now = System.nanoTime();
            if (failingSince == 0) {
                failingSince = now;
                // The outage itself is logged once by whoever detects it; per call, only at debug.
                log.debug("Call {}: {}; the call's work waits and is retried", callId, e.getMessage());
            }
            if (now - failingSince >= retry.giveUpAfter().toNanos()) {
                gaveUp = true;
                failingSince = 0;
                log.error("Call {}: gave up after {} s of retries ({}); ending the call", callId,
                        retry.giveUpAfter().toSeconds(), e.getMessage());
                try {
                    retry.gaveUp().accept(callId, e);
                } catch (RuntimeException failure) {
                    log.error("Call {}: ending the call after the retries failed: {}", callId, failure.toString());
                }
                return;
            }
            attempts++;
            pushBack(work);
            try {
                retryTimer.schedule(this::resume, retry.delayAfter(attempts).toMillis(), TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException shuttingDown) {
                log.debug("Call {}: not retried, shutting down", callId);
            }
        }

        /**
         * Failed held work goes back to the head; failed signalling work, which ran ahead of held work, queues behind
         * it as held (it happened after the events already waiting). Held work waits until the retry is due.
         */
        private synchronized void pushBack(Work work) {
            if (work.held()) {
                queue.addFirst(work);
            } else {
                queue.addLast(new Work(work.task(), true));
            }
            paused = true;
        }

        /** The next work to run: the head, or while paused the first work that is not held. */
        private synchronized Work next() {
            if (paused) {
                for (Iterator<Work> it = queue.iterator(); it.hasNext(); ) {
                    Work work = it.next();
                    if (!work.held()) {
                        it.remove();
                        return work;
                    }
                }
                // Held work waits for resume(); the lane stays (it is not empty).
                running = false;
                return null;
            }
            Work work = queue.poll();
            if (work == null) {
                running = false;
                closed = true;
                lanes.remove(callId, this);
            }
            return work;
        }
    }
}
