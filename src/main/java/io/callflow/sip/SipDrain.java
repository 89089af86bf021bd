package io.callflow.sip;

import java.time.Duration;
import java.util.List;

import io.callflow.call.CallId;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The first step of a normal stop: SIP stops taking calls (503 to new INVITEs and REGISTERs), live calls get their
 * grace period and are then hung up, and only once their legs have ended (or the wait is over) does the stop go on
 * to the web server, the job executor and the database, which the flows of those calls still need.
 */
final class SipDrain implements SmartLifecycle {

    /**
     * Before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and well before the job executor
     * ({@code io.callflow.flow.JobExecutorShutdown}); Spring stops higher phases first.
     */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private static final Logger log = LoggerFactory.getLogger(SipDrain.class);
    private static final Duration POLL = Duration.ofMillis(50);

    private final SipListenerAdapter listener;
    private final B2bua b2bua;
    private final ShutdownProperties settings;
    private volatile boolean running;

    SipDrain(SipListenerAdapter listener, B2bua b2bua, ShutdownProperties settings) {
        this.listener = listener;
        this.b2bua = b2bua;
        this.settings = settings;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        listener.refuseNewWork(settings.retryAfterSeconds());
        int live = b2bua.activeCalls();
        log.info("Stopping: SIP refuses new calls and registrations (503); {} live call(s)", live);
        if (live > 0 && !awaitNoCalls(settings.callGrace())) {
            List<CallId> remaining = b2bua.liveCallIds();
            log.info("Stopping: hanging up {} call(s) still up after the grace period of {}", remaining.size(),
                    settings.callGrace());
            remaining.forEach(b2bua::hangUp);
            if (!awaitNoCalls(settings.hangUpTimeout())) {
                log.warn("Stopping with {} call(s) whose legs did not end within {}", b2bua.activeCalls(),
                        settings.hangUpTimeout());
            }
        }
        running = false;
    }

    private boolean awaitNoCalls(Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (b2bua.activeCalls() > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            try {
                Thread.sleep(POLL.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
