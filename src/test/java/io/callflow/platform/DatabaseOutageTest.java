package io.callflow.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;

import org.apache.ibatis.exceptions.PersistenceException;
import org.camunda.bpm.engine.ProcessEngineException;
import org.junit.jupiter.api.Test;
import org.postgresql.util.PSQLException;
import org.postgresql.util.PSQLState;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.TransactionSystemException;

/** An outage is told apart from every other database failure, however deeply the engine wraps it. */
class DatabaseOutageTest {

    @Test
    void connectionFailuresAreOutages() {
        assertThat(DatabaseOutage.isOutage(new CannotGetJdbcConnectionException("Could not open JDBC Connection",
                new SQLTransientConnectionException("callflow-db - Connection is not available")))).isTrue();
        // What Camunda throws when PostgreSQL goes away under a running command.
        assertThat(DatabaseOutage.isOutage(new ProcessEngineException("ENGINE-03083 Exception while executing",
                new PersistenceException(new PSQLException("An I/O error occurred", PSQLState.CONNECTION_FAILURE)))))
                .isTrue();
        assertThat(DatabaseOutage.isOutage(new SQLException("terminating connection due to administrator command",
                "57P01"))).isTrue();
        var rollbackFailed = new TransactionSystemException("JDBC rollback failed",
                new SQLException("Connection is closed"));
        rollbackFailed.initApplicationException(new IllegalStateException("whatever failed first"));
        assertThat(DatabaseOutage.isOutage(rollbackFailed)).isTrue();
    }

    @Test
    void otherFailuresAreNot() {
        assertThat(DatabaseOutage.isOutage(new DataIntegrityViolationException("duplicate key",
                new SQLException("duplicate key value violates unique constraint", "23505")))).isFalse();
        assertThat(DatabaseOutage.isOutage(new ProcessEngineException("Cannot find process definition"))).isFalse();
        assertThat(DatabaseOutage.isOutage(new IllegalStateException("a bug"))).isFalse();
    }
}
