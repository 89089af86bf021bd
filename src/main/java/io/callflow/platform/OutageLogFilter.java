package io.callflow.platform;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * While the database is known to be away, drops the libraries' own reports of it (the engine's job acquisition, the
 * pool, transaction rollbacks: each a stack trace, several a second) and counts them: the outage is logged once by
 * {@link DatabaseAvailability}, with what an operator needs, and the count when it is over.
 */
final class OutageLogFilter extends TurboFilter {

    private final BooleanSupplier databaseAway;
    private final AtomicLong suppressed = new AtomicLong();

    OutageLogFilter(BooleanSupplier databaseAway) {
        this.databaseAway = databaseAway;
    }

    @Override
    public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params,
            Throwable t) {
        if (level == null || !level.isGreaterOrEqual(Level.WARN) || logger.getName().startsWith("io.callflow")
                || !databaseAway.getAsBoolean()) {
            return FilterReply.NEUTRAL;
        }
        Throwable failure = t != null ? t
                : params != null && params.length > 0 && params[params.length - 1] instanceof Throwable last ? last
                : null;
        if (failure != null && DatabaseOutage.isOutage(failure)) {
            suppressed.incrementAndGet();
            return FilterReply.DENY;
        }
        return FilterReply.NEUTRAL;
    }

    /** How many lines were dropped since the last call, and starts counting again. */
    long takeSuppressed() {
        return suppressed.getAndSet(0);
    }
}
