package io.callflow.flow;

import java.util.HashMap;
import java.util.Map;

import io.callflow.acd.DidLanguages;
import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.platform.DatabaseOutage;
import org.camunda.bpm.engine.ProcessEngineException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.camunda.bpm.engine.RuntimeService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Starts the flow a call's DID maps to, with the call id as business key so Cockpit finds the call and every call
 * event reaches it. A flow that cannot start (not deployed, broken) ends the call rather than leave a caller in
 * silence.
 */
@Component
class CallProcessStarter {

    private static final Logger log = LoggerFactory.getLogger(CallProcessStarter.class);

    private final RuntimeService runtimeService;
    private final CallControl callControl;
    private final DidLanguages languages;
    private final Timer start;

    CallProcessStarter(RuntimeService runtimeService, CallControl callControl, DidLanguages languages,
            MeterRegistry meters) {
        this.runtimeService = runtimeService;
        this.callControl = callControl;
        this.languages = languages;
        this.start = Timer.builder("callflow.flow.start")
                .description("Starting a call's flow up to its first wait state, including the commit")
                .publishPercentileHistogram().register(meters);
    }

    @EventListener
    void on(CallArrived call) {
        Map<String, Object> variables = new HashMap<>();
        variables.put("caller", call.caller());
        variables.put("did", call.did());
        variables.put("trunk", call.trunk());
        variables.put(CallEventCorrelator.CALLER_LEG, call.callerLeg().value());
        CallLanguages.atStart(variables, languages.offeredAt(call.did()));
        try {
            start.record(() -> runtimeService.startProcessInstanceByKey(call.flowKey(), call.callId().value(),
                    variables));
        } catch (ProcessEngineException e) {
            if (DatabaseOutage.isOutage(e)) {
                // Not the flow's fault: the call's lane retries the start once the database is back.
                throw e;
            }
            log.error("Call {} from {} to {}: flow '{}' could not start ({}); hanging up. Check that {}.bpmn is "
                    + "deployed (health: processes).", call.callId(), call.caller(), call.did(), call.flowKey(),
                    e.getMessage(), call.flowKey());
            callControl.hangUp(call.callId());
        }
    }
}
