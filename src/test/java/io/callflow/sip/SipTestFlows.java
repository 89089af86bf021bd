package io.callflow.sip;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.builder.AbstractFlowNodeBuilder;
import org.camunda.bpm.model.bpmn.builder.ProcessBuilder;

/**
 * Small flows that put the B2BUA through one scenario each, built with Camunda's model API so a test controls
 * exactly which call-control commands are sent. The DIDs that map to them are in {@link SipCallScenariosTest}.
 */
final class SipTestFlows {

    private SipTestFlows() {
    }

    /** Answers and waits until a party hangs up. */
    static String answerAndWait() {
        ProcessBuilder process = process("sip-answer-wait");
        process.startEvent("CallArrived").serviceTask("AnswerCall").camundaDelegateExpression("${answerCall}")
                .receiveTask("WaitForCallEnd").message("CallEnded").endEvent("CallEnded");
        return withCallerHangUp(process);
    }

    /** Never answers: the caller hears ringing until it gives up. */
    static String ringOnly() {
        ProcessBuilder process = process("sip-ring-only");
        process.startEvent("CallArrived").receiveTask("WaitForCallEnd").message("CallEnded").endEvent("CallEnded");
        return withCallerHangUp(process);
    }

    /** Answers and hangs up at once: the shortest call Callflow can make. */
    static String answerAndHangUp() {
        ProcessBuilder process = process("sip-answer-hangup");
        process.startEvent("CallArrived").serviceTask("AnswerCall").camundaDelegateExpression("${answerCall}")
                .serviceTask("HangUp").camundaDelegateExpression("${hangUpCall}").endEvent("HungUpByCallflow");
        return withCallerHangUp(process);
    }

    /** Answers and collects two digits. */
    static String collectTwoDigits() {
        ProcessBuilder process = process("sip-digits");
        process.startEvent("CallArrived").serviceTask("AnswerCall").camundaDelegateExpression("${answerCall}")
                .serviceTask("CollectDigits").camundaDelegateExpression("${collectDigits}")
                .camundaInputParameter("maxDigits", "2").camundaInputParameter("firstDigitTimeout", "PT10S")
                .camundaInputParameter("interDigitTimeout", "PT5S")
                .receiveTask("WaitForCallEnd").message("CallEnded").endEvent("CallEnded");
        return withCallerHangUp(process);
    }

    /**
     * Answers, rings agent {@code 1001} ({@code 1002} for DID 305; ring timeout 2 s), and on answer bridges and waits
     * for the end or for the agent's transfer request; each way the offer can fail ends in its own end event, i.e. its
     * own call outcome.
     */
    static String dialAgent() {
        ProcessBuilder process = process("sip-dial-agent");
        process.startEvent("CallArrived").serviceTask("AnswerCall").camundaDelegateExpression("${answerCall}")
                .serviceTask("OfferToAgent").camundaDelegateExpression("${offerToAgent}")
                .camundaInputParameter("agentAddress", "${did == '305' ? '1002' : '1001'}")
                .camundaInputParameter("ringTimeout", "PT2S")
                .exclusiveGateway("Answered")
                .condition("answered", "${agentOutcome == 'ANSWERED'}")
                .serviceTask("Bridge").camundaDelegateExpression("${bridgeCall}")
                .receiveTask("WaitForCallEnd").message("CallEnded")
                .serviceTask("HangUpAfterAgent").camundaDelegateExpression("${hangUpCall}")
                .endEvent("AgentHungUp")
                .moveToActivity("WaitForCallEnd").boundaryEvent("TransferRequested").message("TransferRequested")
                .serviceTask("Transfer").camundaDelegateExpression("${transferCall}")
                .camundaInputParameter("target", "${transferTarget}").endEvent("Transferred")
                .moveToNode("Answered").condition("busy", "${agentOutcome == 'BUSY'}")
                .serviceTask("HangUpBusy").camundaDelegateExpression("${hangUpCall}").endEvent("AgentBusy")
                .moveToNode("Answered").condition("rang out", "${agentOutcome == 'RING_TIMEOUT'}")
                .serviceTask("HangUpRangOut").camundaDelegateExpression("${hangUpCall}").endEvent("AgentRangOut")
                .moveToNode("Answered").condition("other", "${agentOutcome != 'ANSWERED' && agentOutcome != 'BUSY'"
                        + " && agentOutcome != 'RING_TIMEOUT'}")
                .serviceTask("HangUpNotReached").camundaDelegateExpression("${hangUpCall}")
                .endEvent("AgentNotReached");
        return withCallerHangUp(process);
    }

    /**
     * The interop flow: answers, optionally asks for one menu digit (10 s to press it) that picks the agent ({@code 2}
     * rings {@code 1002}, anything else {@code 1001}), rings the agent for up to 10 s (real phones on a loaded machine
     * take longer than SIPp to answer), bridges, and waits for either side to hang up.
     */
    static String menuThenAgent(String key, boolean menu) {
        return agentCall(key, menu, null);
    }

    /**
     * Like {@link #menuThenAgent} without a menu, with the Record task between the agent's answer and the bridge (as
     * in inbound-call.bpmn), for a call of {@code queue}: the queue's recording policy decides what it does.
     */
    static String recordedAgentCall(String key, String queue) {
        return agentCall(key, false, queue);
    }

    private static String agentCall(String key, boolean menu, String recordedQueue) {
        ProcessBuilder process = process(key);
        var answered = process.startEvent("CallArrived").serviceTask("AnswerCall")
                .camundaDelegateExpression("${answerCall}");
        if (recordedQueue != null) {
            answered = answered.camundaOutputParameter("queue", recordedQueue);
        }
        if (menu) {
            answered = answered.serviceTask("MainMenu").camundaDelegateExpression("${collectDigits}")
                    .camundaInputParameter("maxDigits", "1").camundaInputParameter("firstDigitTimeout", "PT10S")
                    .camundaInputParameter("interDigitTimeout", "PT5S");
        }
        AbstractFlowNodeBuilder<?, ?> connected = answered.serviceTask("OfferToAgent")
                .camundaDelegateExpression("${offerToAgent}")
                .camundaInputParameter("agentAddress", menu ? "${digits == '2' ? '1002' : '1001'}" : "1001")
                .camundaInputParameter("ringTimeout", "PT10S")
                .exclusiveGateway("Answered")
                .condition("answered", "${agentOutcome == 'ANSWERED'}");
        if (recordedQueue != null) {
            connected = connected.serviceTask("RecordConversation").camundaDelegateExpression("${recordCall}")
                    .camundaInputParameter("action", "start");
        }
        connected.serviceTask("Bridge").camundaDelegateExpression("${bridgeCall}")
                .receiveTask("WaitForCallEnd").message("CallEnded")
                .serviceTask("HangUpAfterAgent").camundaDelegateExpression("${hangUpCall}")
                .endEvent("AgentHungUp")
                .moveToNode("Answered").condition("not answered", "${agentOutcome != 'ANSWERED'}")
                .serviceTask("HangUpNotReached").camundaDelegateExpression("${hangUpCall}")
                .endEvent("AgentNotReached");
        return withCallerHangUp(process);
    }

    private static ProcessBuilder process(String key) {
        return Bpmn.createExecutableProcess(key).camundaHistoryTimeToLive(1);
    }

    /** The caller hanging up anywhere ends the flow; hanging up cancels a ringing agent leg. */
    private static String withCallerHangUp(ProcessBuilder process) {
        process.eventSubProcess("CallerHangUp").startEvent("CallerHungUp").message("CallerHungUp").interrupting(true)
                .serviceTask("CleanUp").camundaDelegateExpression("${hangUpCall}").endEvent("CallerHungUpEnd");
        return Bpmn.convertToString(process.done());
    }
}
