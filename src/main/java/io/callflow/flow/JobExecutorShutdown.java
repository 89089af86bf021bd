package io.callflow.flow;

import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.jobexecutor.JobExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stops Camunda's job executor as a step of its own in a normal stop: after SIP has drained the calls and the web
 * server has stopped, and before the engine and the database are closed. Left to the engine's own close, the job
 * executor kept polling while the database was already going away, and every stop logged ENGINE-14019 errors.
 */
@Component
class JobExecutorShutdown implements SmartLifecycle {

    /** Below the web server's stop ({@code DEFAULT_PHASE - 2048}): Spring stops higher phases first. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

    private static final Logger log = LoggerFactory.getLogger(JobExecutorShutdown.class);

    private final ProcessEngine engine;
    private volatile boolean running;

    JobExecutorShutdown(ProcessEngine engine) {
        this.engine = engine;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        JobExecutor jobs = ((ProcessEngineConfigurationImpl) engine.getProcessEngineConfiguration()).getJobExecutor();
        if (jobs != null && jobs.isActive()) {
            // Waits for the acquisition thread and the jobs in hand, so no job is cut off half-way.
            jobs.shutdown();
            log.info("Stopping: job executor stopped");
        }
        running = false;
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
