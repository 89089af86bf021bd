package io.callflow.sip;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** A stream of the same problem is one WARN line a minute, with the number left out; other causes are not held up. */
class PeerProblemLogTest {

    @Test
    void oneLinePerCausePerMinuteWithTheNumberSuppressed() {
        var nanos = new AtomicLong(1);
        var logger = (Logger) LoggerFactory.getLogger("test.peer-problems");
        var logged = new ListAppender<ILoggingEvent>();
        logged.start();
        logger.addAppender(logged);
        var problems = new PeerProblemLog(logger, nanos::get);

        for (int i = 0; i < 1000; i++) {
            problems.warn("REGISTER failed: NullPointerException", "packet " + i, new NullPointerException());
            problems.warn("Refused a OPTIONS with 505", "SIP/7.0", null);
            nanos.addAndGet(Duration.ofMillis(10).toNanos());
        }
        assertThat(logged.list).hasSize(2).allSatisfy(line -> assertThat(line.getLevel()).isEqualTo(Level.WARN));

        nanos.addAndGet(PeerProblemLog.INTERVAL.toNanos());
        problems.warn("REGISTER failed: NullPointerException", "packet 1000", null);

        assertThat(logged.list).hasSize(3);
        assertThat(logged.list.get(2).getFormattedMessage())
                .isEqualTo("REGISTER failed: NullPointerException: packet 1000 (999 more in the last 60 s not logged)");
        assertThat(logged.list).allSatisfy(line -> assertThat(line.getThrowableProxy()).isNull());
    }
}
