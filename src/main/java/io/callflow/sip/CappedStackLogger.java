package io.callflow.sip;

import java.util.Properties;

import gov.nist.core.LogLevels;
import gov.nist.core.StackLogger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JAIN-SIP's logger, on SLF4J as {@code io.callflow.sip.stack}, made safe against hostile traffic: the stack logs
 * a datagram it cannot process as an ERROR with the whole 64 KiB receive buffer written out as decimal numbers and
 * a stack trace (e.g. a request without CSeq), so every small bad packet would write some 200 KB of log. Messages
 * are cut to {@value #MAX_MESSAGE} characters, a peer's failure is a WARN without stack trace (full trace at
 * DEBUG), the stack's chatty INFO (every message) is DEBUG, and warnings and errors are one line per cause (the first
 * words of the line) a minute, with the number suppressed reported in the next line ({@link PeerProblemLog}).
 * The stack instantiates it by name ({@code gov.nist.javax.sip.STACK_LOGGER}), hence public.
 */
public final class CappedStackLogger implements StackLogger {

    static final int MAX_MESSAGE = 300;
    private static final Logger log = LoggerFactory.getLogger("io.callflow.sip.stack");
    /** One line per cause a minute: a flood of bad packets yields a few lines, not one per packet. */
    private static final PeerProblemLog PROBLEMS = new PeerProblemLog(log);

    @Override
    public void logError(String message) {
        problem(message, null);
    }

    @Override
    public void logError(String message, Exception cause) {
        problem(message, cause);
    }

    @Override
    public void logFatalError(String message) {
        problem(message, null);
    }

    @Override
    public void logException(Throwable cause) {
        problem("", cause);
    }

    @Override
    public void logWarning(String message) {
        problem(message, null);
    }

    /** The stack's INFO is chatty (every message it sends or receives), so it is our DEBUG. */
    @Override
    public void logInfo(String message) {
        if (log.isDebugEnabled()) {
            log.debug(cap(message));
        }
    }

    @Override
    public void logDebug(String message) {
        if (log.isDebugEnabled()) {
            log.debug(cap(message));
        }
    }

    @Override
    public void logDebug(String message, Exception cause) {
        if (log.isDebugEnabled()) {
            log.debug(cap(message), cause);
        }
    }

    @Override
    public void logTrace(String message) {
        if (log.isTraceEnabled()) {
            log.trace(cap(message));
        }
    }

    @Override
    public void logStackTrace() {
    }

    @Override
    public void logStackTrace(int traceLevel) {
    }

    @Override
    public boolean isLoggingEnabled() {
        return log.isWarnEnabled();
    }

    @Override
    public boolean isLoggingEnabled(int level) {
        if (level >= LogLevels.TRACE_TRACE) {
            return log.isTraceEnabled();
        }
        if (level >= LogLevels.TRACE_INFO) {
            return log.isDebugEnabled();
        }
        return level > LogLevels.TRACE_NONE && log.isWarnEnabled();
    }

    @Override
    public int getLineCount() {
        return 0;
    }

    @Override
    public void disableLogging() {
    }

    @Override
    public void enableLogging() {
    }

    @Override
    public void setBuildTimeStamp(String buildTimeStamp) {
    }

    @Override
    public void setStackProperties(Properties properties) {
    }

    @Override
    public String getLoggerName() {
        return log.getName();
    }

    private static void problem(String message, Throwable cause) {
        if (!log.isWarnEnabled()) {
            return;
        }
        String text = cap(message) + (cause == null ? "" : " (" + cap(cause.toString()) + ")");
        PROBLEMS.warn(causeOf(message), text, cause);
    }

    /** The cause of a stack line: its first three words without numbers, e.g. "Error while processing". */
    static String causeOf(String message) {
        if (message == null || message.isBlank()) {
            return "JAIN-SIP";
        }
        // Only the start: the stack writes whole 64 KiB receive buffers out as numbers.
        String start = message.length() <= 80 ? message : message.substring(0, 80);
        String[] words = start.strip().replaceAll("[0-9]", "").split("\\s+", 4);
        return "JAIN-SIP: " + String.join(" ", java.util.Arrays.copyOf(words, Math.min(3, words.length)));
    }

    static String cap(String message) {
        if (message == null) {
            return "";
        }
        return message.length() <= MAX_MESSAGE ? message
                : message.substring(0, MAX_MESSAGE) + "... (" + message.length() + " characters)";
    }
}
