package io.callflow.platform;

import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;

import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;

/**
 * Tells a database outage (no connection to be had, a connection lost, the server shutting down) from every other
 * failure: an outage is worth waiting out and retrying, a constraint violation or a bug is not.
 */
public final class DatabaseOutage {

    private DatabaseOutage() {
    }

    /** Whether {@code failure}, or anything that caused it, says the database cannot be reached. */
    public static boolean isOutage(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 32; t = t.getCause(), depth++) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException
                    || t instanceof SQLRecoverableException || t instanceof ConnectException
                    || t instanceof DataAccessResourceFailureException
                    || t instanceof CannotCreateTransactionException) {
                return true;
            }
            if (t instanceof SQLException sql && (outageState(sql.getSQLState())
                    || "Connection is closed".equals(sql.getMessage()))) {
                return true;
            }
            // A rollback on a dead connection fails too, and Spring reports that instead of what went wrong first.
            if (t instanceof TransactionSystemException rollback && rollback.getApplicationException() != null
                    && isOutage(rollback.getApplicationException())) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }

    /**
     * SQLSTATE class 08 is "connection exception" (SQL standard); 57P01-57P03 are PostgreSQL's administrator
     * shutdown, crash shutdown and "cannot connect now" (the server is starting up or shutting down).
     */
    private static boolean outageState(String state) {
        return state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02")
                || state.equals("57P03"));
    }
}
