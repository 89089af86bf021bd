package io.callflow.call;

import java.util.ArrayDeque;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
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
 */
public final class CallLanes {

    private static final Logger log = LoggerFactory.getLogger(CallLanes.class);

    private final Executor executor;
    private final Map<CallId, Lane> lanes = new ConcurrentHashMap<>();
    private final Timer wait;

    public CallLanes(Executor executor) {
        this(executor, new SimpleMeterRegistry());
    }

    public CallLanes(Executor executor, MeterRegistry meters) {
        this.executor = Objects.requireNonNull(executor);
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

    private final class Lane implements Runnable {
        private final CallId callId;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;
        private boolean closed;
        private long scheduledAt;

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
                } catch (RuntimeException e) {
                    log.error("Call {}: a task on the call's lane failed: {}", callId, e.toString(), e);
                } finally {
                    MDC.remove("callId");
                }
            }
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
