package io.callflow.flow;

import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyMap;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.Mockito.RETURNS_SELF;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Instant;
import java.util.List;

import io.callflow.call.CallArrived;
import io.callflow.call.CallId;
import io.callflow.call.HangupCause;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MediaTimedOut;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.MessageCorrelationBuilder;
import org.camunda.bpm.engine.runtime.MessageCorrelationResult;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** Hang-ups are correlated once, as the caller's or an agent's, when the correlator saw the call arrive. */
class CallEventCorrelatorTest {

    private final RuntimeService runtime = mock(RuntimeService.class);
    private final CallEventCorrelator correlator = new CallEventCorrelator(runtime,
            new TransactionTemplate(mock(PlatformTransactionManager.class)));
    private final CallId call = new CallId("call-1");
    private final LegId caller = new LegId("leg-caller");
    private final LegId agent = new LegId("leg-agent");

    @BeforeEach
    void everyMessageIsTaken() {
        MessageCorrelationBuilder builder = mock(MessageCorrelationBuilder.class, RETURNS_SELF);
        when(builder.correlateAllWithResult()).thenReturn(List.of(mock(MessageCorrelationResult.class)));
        when(runtime.createMessageCorrelation(anyString())).thenReturn(builder);
        when(builder.setVariables(anyMap())).thenReturn(builder);
        when(builder.processInstanceVariableEquals(anyString(), any())).thenReturn(builder);
    }

    @Test
    void callerHangUpThenAgentLeg_onlyTheCallersMessage() {
        correlator.on(arrived());
        correlator.on(hungUp(caller));
        correlator.on(hungUp(agent));

        verify(runtime, times(1)).createMessageCorrelation(FlowMessages.CALLER_HUNG_UP);
        verify(runtime, never()).createMessageCorrelation(FlowMessages.CALL_ENDED);
    }

    @Test
    void agentHangsUpFirst_callEndedOnly() {
        correlator.on(arrived());
        correlator.on(hungUp(agent));

        verify(runtime, never()).createMessageCorrelation(FlowMessages.CALLER_HUNG_UP);
        verify(runtime, times(1)).createMessageCorrelation(FlowMessages.CALL_ENDED);
    }

    @Test
    void afterTheAgentTheCallerStillReachesTheFlow() {
        correlator.on(arrived());
        correlator.on(hungUp(agent));
        correlator.on(hungUp(caller));

        verify(runtime, times(1)).createMessageCorrelation(FlowMessages.CALL_ENDED);
        verify(runtime, times(1)).createMessageCorrelation(FlowMessages.CALLER_HUNG_UP);
    }

    @Test
    void unknownCall_triesTheCallerFirstThenTheAgent() {
        MessageCorrelationBuilder none = mock(MessageCorrelationBuilder.class, RETURNS_SELF);
        when(none.correlateAllWithResult()).thenReturn(List.of());
        MessageCorrelationBuilder taken = runtime.createMessageCorrelation("any");
        when(runtime.createMessageCorrelation(FlowMessages.CALLER_HUNG_UP)).thenReturn(none);
        when(runtime.createMessageCorrelation(FlowMessages.CALL_ENDED)).thenReturn(taken);

        correlator.on(hungUp(agent));

        verify(none).correlateAllWithResult();
        verify(taken).correlateAllWithResult();
    }

    @Test
    void callersMediaTimeout_isTheCallersHangUp() {
        correlator.on(arrived());
        correlator.on(new MediaTimedOut(call, caller, Instant.now()));

        verify(runtime, times(1)).createMessageCorrelation(FlowMessages.CALLER_HUNG_UP);
    }

    @Test
    void agentsMediaTimeout_leftToTheSipLayersLegHungUp() {
        // The SIP layer hangs the agent's leg up and publishes LegHungUp, which becomes CallEnded.
        correlator.on(arrived());
        correlator.on(new MediaTimedOut(call, agent, Instant.now()));

        verify(runtime, never()).createMessageCorrelation(anyString());
    }

    private CallArrived arrived() {
        return new CallArrived(call, caller, "+4930123456", "100", "carrier-a", "inbound-call", Instant.now());
    }

    private LegHungUp hungUp(LegId leg) {
        return new LegHungUp(call, leg, HangupCause.REMOTE_HANGUP, Instant.now());
    }
}
