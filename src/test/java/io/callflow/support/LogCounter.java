package io.callflow.support;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

/**
 * A Logback appender on the root logger that counts WARN and ERROR lines by level and logger, keeping the first
 * message of each so a benchmark can say what was logged, not only how much.
 */
public final class LogCounter extends AppenderBase<ILoggingEvent> {

    /** Lines of one level from one logger, and the first of them. */
    public record Tally(String level, String logger, long lines, String firstMessage) {
    }

    private final Map<String, LongAdder> counts = new ConcurrentHashMap<>();
    private final Map<String, String> firstMessages = new ConcurrentHashMap<>();

    /** Starts counting every WARN and ERROR line from now on, whatever logger writes it. */
    public static LogCounter attachToRoot() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        LogCounter counter = new LogCounter();
        counter.setContext(context);
        counter.setName("soak-log-counter");
        counter.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(counter);
        return counter;
    }

    public void detach() {
        LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
        context.getLogger(Logger.ROOT_LOGGER_NAME).detachAppender(this);
        stop();
    }

    @Override
    protected void append(ILoggingEvent event) {
        if (!event.getLevel().isGreaterOrEqual(Level.WARN)) {
            return;
        }
        String key = event.getLevel() + " " + event.getLoggerName();
        counts.computeIfAbsent(key, k -> new LongAdder()).increment();
        firstMessages.computeIfAbsent(key, k -> {
            String message = String.valueOf(event.getFormattedMessage()).replaceAll("\\s+", " ");
            if (event.getThrowableProxy() != null) {
                message += " [" + event.getThrowableProxy().getClassName() + ": "
                        + event.getThrowableProxy().getMessage() + "]";
            }
            return message.length() > 240 ? message.substring(0, 240) + "..." : message;
        });
    }

    /** Lines counted at the level (WARN or ERROR). */
    public long total(Level level) {
        return counts.entrySet().stream().filter(e -> e.getKey().startsWith(level + " "))
                .mapToLong(e -> e.getValue().sum()).sum();
    }

    /** Level-and-logger pairs with the most lines first. */
    public List<Tally> top(int limit) {
        return counts.entrySet().stream().map(e -> {
            String[] parts = e.getKey().split(" ", 2);
            return new Tally(parts[0], parts[1], e.getValue().sum(), firstMessages.get(e.getKey()));
        }).sorted(Comparator.comparingLong(Tally::lines).reversed()).limit(limit).toList();
    }
}
