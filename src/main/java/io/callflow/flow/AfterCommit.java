package io.callflow.flow;

import org.camunda.bpm.engine.impl.cfg.TransactionState;
import org.camunda.bpm.engine.impl.context.Context;
import org.camunda.bpm.engine.impl.interceptor.CommandContext;

/**
 * Sends a call-control command only once the engine has committed the wait state that expects its outcome. A command
 * sent inside the transaction could produce its event (digits, an answer) before the process is durably waiting
 * for it, and a rolled-back transaction must not leave a phone ringing.
 */
final class AfterCommit {

    private AfterCommit() {
    }

    static void run(Runnable command) {
        CommandContext commandContext = Context.getCommandContext();
        if (commandContext == null) {
            command.run();
            return;
        }
        commandContext.getTransactionContext()
                .addTransactionListener(TransactionState.COMMITTED, committed -> command.run());
    }
}
