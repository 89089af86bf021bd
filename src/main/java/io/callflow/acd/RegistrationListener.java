package io.callflow.acd;

import java.util.EnumSet;
import java.util.List;

import io.callflow.acd.AgentStore.Change;
import io.callflow.call.RegistrationChanged;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Keeps agents' reachability in step with their phones: an agent is only offered calls with a live registration. A
 * phone registering logs its agent in (when {@code callflow.acd.auto-login-on-register}); the last contact going
 * away logs an idle agent out, while an agent on a call finishes it first.
 */
@Component
class RegistrationListener {

    private final org.springframework.jdbc.core.JdbcTemplate jdbc;
    private final TransactionTemplate tx;
    private final AgentStore agents;
    private final Dispatcher dispatcher;
    private final AcdProperties properties;

    RegistrationListener(org.springframework.jdbc.core.JdbcTemplate jdbc, TransactionTemplate tx, AgentStore agents,
            Dispatcher dispatcher, AcdProperties properties) {
        this.jdbc = jdbc;
        this.tx = tx;
        this.agents = agents;
        this.dispatcher = dispatcher;
        this.properties = properties;
    }

    @EventListener
    void on(RegistrationChanged change) {
        tx.executeWithoutResult(status -> {
            List<String> ids = jdbc.queryForList("select id from agent where sip_user = ?", String.class,
                    change.user());
            boolean reachable = change.contacts() > 0;
            for (String id : ids) {
                jdbc.update("update agent set registered = ? where id = ?", reachable, id);
                if (reachable && properties.autoLoginOnRegister()) {
                    agents.change(id, EnumSet.of(AgentState.OFFLINE), null, Change.to(AgentState.AVAILABLE,
                            "phone registered"));
                } else if (!reachable) {
                    agents.change(id, EnumSet.of(AgentState.AVAILABLE, AgentState.PAUSED, AgentState.WRAP_UP), null,
                            Change.to(AgentState.OFFLINE, "phone unregistered"));
                }
            }
            dispatcher.trigger();
        });
    }
}
