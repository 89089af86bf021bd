package io.callflow.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLTransientConnectionException;
import java.util.concurrent.atomic.AtomicBoolean;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.core.spi.FilterReply;
import org.junit.jupiter.api.Test;

/** During an outage the libraries' own stack traces about it are counted, not logged; everything else passes. */
class OutageLogFilterTest {

    private final LoggerContext context = new LoggerContext();
    private final AtomicBoolean away = new AtomicBoolean(true);
    private final OutageLogFilter filter = new OutageLogFilter(away::get);
    private final Exception outage = new RuntimeException("ENGINE-14019",
            new SQLTransientConnectionException("callflow-db - Connection is not available"));

    @Test
    void libraryReportsOfTheOutageAreDroppedAndCounted() {
        var jobExecutor = context.getLogger("org.camunda.bpm.engine.jobexecutor");
        assertThat(filter.decide(null, jobExecutor, Level.ERROR, "acquisition failed", null, outage))
                .isEqualTo(FilterReply.DENY);
        // Camunda passes the exception as the last parameter.
        assertThat(filter.decide(null, jobExecutor, Level.ERROR, "{} {}", new Object[] {"x", outage}, null))
                .isEqualTo(FilterReply.DENY);
        assertThat(filter.takeSuppressed()).isEqualTo(2);
    }

    @Test
    void callflowsOwnLinesOtherFailuresAndTimesWithoutAnOutagePass() {
        assertThat(filter.decide(null, context.getLogger("io.callflow.call.CallLanes"), Level.ERROR, "gave up", null,
                outage)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.decide(null, context.getLogger("org.camunda.bpm.engine.context"), Level.ERROR, "bug", null,
                new IllegalStateException("a bug"))).isEqualTo(FilterReply.NEUTRAL);
        away.set(false);
        assertThat(filter.decide(null, context.getLogger("org.camunda.bpm.engine.context"), Level.ERROR, "x", null,
                outage)).isEqualTo(FilterReply.NEUTRAL);
        assertThat(filter.takeSuppressed()).isZero();
    }
}
