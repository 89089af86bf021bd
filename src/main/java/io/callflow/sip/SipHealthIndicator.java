package io.callflow.sip;

import gov.nist.javax.sip.stack.SIPTransactionStack;
import javax.sip.SipStack;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.stereotype.Component;

/**
 * The {@code sip} health contributor: up while the stack runs, with what it holds right now - calls, the SIP Call-IDs
 * they own, dialogs and transactions - so an operator sees at a glance whether state drains after traffic stops.
 */
@Component
class SipHealthIndicator extends AbstractHealthIndicator {

    private final B2bua b2bua;
    private final SipStack stack;

    SipHealthIndicator(B2bua b2bua, SipStack stack) {
        this.b2bua = b2bua;
        this.stack = stack;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        SipState state = state();
        builder.up().withDetail("activeCalls", state.activeCalls()).withDetail("sipCallIds", state.sipCallIds())
                .withDetail("dialogs", state.dialogs()).withDetail("serverTransactions", state.serverTransactions())
                .withDetail("clientTransactions", state.clientTransactions());
    }

    /** What the B2BUA and the JAIN-SIP stack hold now; all zero once every call and its transactions are over. */
    SipState state() {
        // The reference implementation's stack (gov.nist) is the only one Callflow runs on (SipConfiguration).
        var nist = (SIPTransactionStack) stack;
        return new SipState(b2bua.activeCalls(), b2bua.trackedDialogs(), nist.getDialogs().size(),
                nist.getServerTransactionTableSize(), nist.getClientTransactionTableSize());
    }

    /** Counts of per-call SIP state. */
    record SipState(int activeCalls, int sipCallIds, int dialogs, int serverTransactions, int clientTransactions) {
    }
}
