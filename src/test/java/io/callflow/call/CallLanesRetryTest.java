package io.callflow.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A call's work that fails for a passing reason waits and is retried in order; other calls go on meanwhile. */
class CallLanesRetryTest {

    static class Outage extends RuntimeException {
        Outage() {
            super("database away");
        }
    }

    private final ExecutorService pool = Executors.newFixedThreadPool(1);
    private final AtomicReference<CallId> gaveUp = new AtomicReference<>();

    @AfterEach
    void stop() {
        pool.shutdownNow();
    }

    private CallLanes lanes(Duration giveUpAfter) {
        return new CallLanes(pool, new SimpleMeterRegistry(), new LaneRetryPolicy(e -> e instanceof Outage,
                Duration.ofMillis(10), Duration.ofMillis(40), giveUpAfter, (call, e) -> gaveUp.set(call)));
    }

    @Test
    void aFailingEventIsRetriedAndTheCallsLaterEventsWaitBehindItWhileItsSignallingGoesOn() {
        CallLanes lanes = lanes(Duration.ofSeconds(10));
        CallId call = CallId.random();
        CallId other = CallId.random();
        AtomicInteger failuresLeft = new AtomicInteger(5);
        List<String> done = new CopyOnWriteArrayList<>();
        lanes.submitHeld(call, () -> {
            if (failuresLeft.getAndDecrement() > 0) {
                throw new Outage();
            }
            done.add("caller left the queue");
        });
        lanes.submitHeld(call, () -> done.add("agent leg ended"));
        // A BYE to answer does not wait for the database.
        lanes.submit(call, () -> done.add("200 OK to the BYE"));
        // The one pool thread is not held while the call waits: another call's work runs meanwhile.
        lanes.submit(other, () -> done.add("other call"));

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 4);
        assertThat(done).containsSubsequence("caller left the queue", "agent leg ended");
        assertThat(done.indexOf("other call")).isLessThan(done.indexOf("caller left the queue"));
        assertThat(done.indexOf("200 OK to the BYE")).isLessThan(done.indexOf("caller left the queue"));
        assertThat(gaveUp.get()).isNull();
        await().atMost(Duration.ofSeconds(1)).until(() -> lanes.activeLanes() == 0);
    }

    @Test
    void afterTheLimitTheCallIsHandedToTheGiveUpHandlerAndItsOtherFailingWorkIsDropped() {
        CallLanes lanes = lanes(Duration.ofMillis(200));
        CallId call = CallId.random();
        AtomicInteger attempts = new AtomicInteger();
        List<String> done = new CopyOnWriteArrayList<>();
        lanes.submitHeld(call, () -> {
            attempts.incrementAndGet();
            throw new Outage();
        });
        lanes.submitHeld(call, () -> {
            throw new Outage();
        });
        lanes.submitHeld(call, () -> done.add("hang up the legs"));

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 1);
        assertThat(gaveUp.get()).isEqualTo(call);
        assertThat(attempts.get()).isGreaterThan(2);
        await().atMost(Duration.ofSeconds(1)).until(() -> lanes.activeLanes() == 0);
    }

    @Test
    void otherFailuresAreNotRetried() {
        CallLanes lanes = lanes(Duration.ofSeconds(10));
        CallId call = CallId.random();
        AtomicInteger attempts = new AtomicInteger();
        List<String> done = new CopyOnWriteArrayList<>();
        lanes.submit(call, () -> {
            attempts.incrementAndGet();
            throw new IllegalStateException("a bug");
        });
        lanes.submit(call, () -> done.add("next"));

        await().atMost(Duration.ofSeconds(5)).until(() -> done.size() == 1);
        assertThat(attempts.get()).isEqualTo(1);
        assertThat(((ThreadPoolExecutor) pool).getActiveCount()).isLessThanOrEqualTo(1);
    }
}
