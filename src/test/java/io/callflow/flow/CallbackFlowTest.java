package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyString;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.AgentReserved;
import io.callflow.acd.Agents;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.CallbackSettings;
import io.callflow.acd.CallbackView;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.QueueSettings;
import io.callflow.acd.QueuedCallbacks;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.AgentLegOutcome;
import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.DigitsCollected;
import io.callflow.call.HangupCause;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.NoInput;
import io.callflow.call.PlaybackFinished;
import io.callflow.routing.CallRouter;
import io.callflow.routing.RoutingDecision;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

/**
 * Every path of processes/callback.bpmn (agent reached or not, customer reached, retried, given up, window passed,
 * cancelled, attempt lost with its node) and the callback branch of the queue wait in processes/inbound-call.bpmn,
 * driven by the call events the SIP and media layers publish, with the call layer and the ACD replaced by mocks. The
 * job executor is off so timers fire only when a test fires them.
 */
@SpringBootTest(properties = "camunda.bpm.job-execution.enabled=false")
@ActiveProfiles("test")
class CallbackFlowTest {

    static final String AGENT = "agent-1001";
    static final String AGENT_USER = "1001";
    static final String NUMBER = "4930555666";
    static final TestContent CONTENT = TestContent.create();

    @DynamicPropertySource
    static void isolatedDataDirectory(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @MockitoBean CallControl callControl;
    @MockitoBean CallDistributor distributor;
    @MockitoBean QueuedCallbacks queued;
    @MockitoBean Agents agents;
    @MockitoBean CallRouter router;
    @Autowired RuntimeService runtimeService;
    @Autowired ManagementService managementService;
    @Autowired ProcessEngine processEngine;
    @Autowired ApplicationEventPublisher events;
    @Autowired JdbcTemplate jdbc;
    @Autowired Callbacks callbacks;

    CallId callbackId;
    ProcessInstance callback;

    @BeforeEach
    void setUp() {
        AbstractAssertions.init(processEngine);
        when(router.route(any(), any())).thenReturn(new RoutingDecision("support", 0, Map.of(), List.of(), false,
                List.of("Menu choice to queue")));
        when(distributor.enqueue(any())).thenAnswer(invocation -> new EnqueueResult.Queued(
                invocation.<EnqueueRequest>getArgument(0).queue(), 2, Duration.ofSeconds(90)));
        when(distributor.settings(any())).thenAnswer(invocation -> new QueueSettings(invocation.getArgument(0),
                Duration.ofMinutes(5), Duration.ofSeconds(15), Duration.ofSeconds(30), "default"));
        when(distributor.position(any())).thenReturn(Optional.of(
                new EnqueueResult.Queued("support", 2, Duration.ofSeconds(90))));
        when(queued.settings(any())).thenReturn(new CallbackSettings(true, "5", "agent-first", 1,
                Duration.ofMinutes(2), Duration.ofHours(4)));
        when(queued.attemptStarted(anyString(), anyString())).thenReturn(1, 2, 3);
    }

    // ---- callback.bpmn ----

    @Test
    void agentAnswersThenCustomerAnswers_bridgedAndCompleted() {
        requested();
        assertThat(callback).isWaitingAt("WaitForAgent");
        String agentLeg = reserveAgentAndAwaitRinging();
        verify(distributor).offerRinging(callbackId, AGENT);

        publish(new LegAnswered(callbackId, new LegId(agentLeg), AGENT_USER, Instant.now()));
        verify(agents).outboundCallAnswered(AGENT, callbackId.value());
        LegId customerLeg = new LegId("customer-" + callbackId + "-1");
        verify(callControl).dialOutbound(callbackId, customerLeg, NUMBER, Callbacks.CUSTOMER_RING);

        publish(new LegAnswered(callbackId, customerLeg, NUMBER, Instant.now()));
        // The agent's leg plays the caller's part: the bridge joins the customer's leg to it.
        verify(callControl).bridge(callbackId, customerLeg);
        verify(queued).connected(callbackId.value(), AGENT);
        verify(queued).attemptEnded(callbackId.value(), "CONNECTED");
        assertThat(callback).isWaitingAt("WaitForCallbackEnd");

        publish(new LegHungUp(callbackId, customerLeg, HangupCause.REMOTE_HANGUP, Instant.now()));
        assertThat(callback).isEnded().hasPassed("CompleteCallback", "CallbackCompleted");
        verify(distributor).completed(callbackId, AGENT);
        verify(queued).finish(callbackId.value(), "COMPLETED");
        assertThat(record()).containsEntry("outcome", "CallbackCompleted").containsEntry("caller", NUMBER)
                .containsEntry("flow_key", "callback");
    }

    @Test
    void customerFirst_customerAnswersHearsMusicThenTheAgentIsRungAndBridged() {
        requested("customer-first");
        events.publishEvent(new AgentReserved(callbackId, "support", AGENT, AGENT_USER, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(callback).isWaitingAt("WaitForAttempt"));
        LegId customerLeg = new LegId("customer-" + callbackId + "-1");
        LegId agentLeg = new LegId("agent-" + callbackId + "-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> verify(callControl).originateToNumber(callbackId,
                customerLeg, NUMBER, Callbacks.CALLER_ID, Callbacks.CUSTOMER_RING));
        verify(distributor, never()).offerRinging(any(), any());

        publish(new LegAnswered(callbackId, customerLeg, NUMBER, Instant.now()));
        verify(callControl).playMusic(callbackId, "default");
        verify(distributor).offerRinging(callbackId, AGENT);
        verify(callControl).dialAgent(callbackId, agentLeg, AGENT_USER, Duration.ofSeconds(15));

        publish(new LegAnswered(callbackId, agentLeg, AGENT_USER, Instant.now()));
        verify(agents).outboundCallAnswered(AGENT, callbackId.value());
        verify(callControl).bridge(callbackId, agentLeg);
        assertThat(callback).isWaitingAt("WaitForCallbackEnd");
    }

    @Test
    void customerFirst_customerDoesNotAnswer_theReservedAgentIsReleasedUnrung() {
        requested("customer-first");
        events.publishEvent(new AgentReserved(callbackId, "support", AGENT, AGENT_USER, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(callback).isWaitingAt("WaitForAttempt"));
        LegId customerLeg = new LegId("customer-" + callbackId + "-1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> verify(callControl).originateToNumber(callbackId,
                customerLeg, NUMBER, Callbacks.CALLER_ID, Callbacks.CUSTOMER_RING));
        publish(new AgentLegFailed(callbackId, customerLeg, NUMBER, AgentLegOutcome.RING_TIMEOUT, Instant.now()));
        verify(agents).releaseFromOutboundCall(AGENT, callbackId.value());
        verify(callControl, never()).dialAgent(any(), any(), any(), any());
        assertThat(callback).isWaitingAt("RetryDelay");
    }

    @Test
    void agentDoesNotAnswer_callbackWaitsForAnAgentAgainWithoutUsingARetry() {
        requested();
        String agentLeg = reserveAgentAndAwaitRinging();
        publish(new AgentLegFailed(callbackId, new LegId(agentLeg), AGENT_USER, AgentLegOutcome.RING_TIMEOUT,
                Instant.now()));
        assertThat(callback).hasPassed("RequeueCallback").isWaitingAt("WaitForAgent");
        verify(distributor).offerFailed(callbackId, AGENT, AgentLegOutcome.RING_TIMEOUT);
        verify(queued).attemptEnded(callbackId.value(), Callbacks.AGENT_NOT_REACHED);
        verify(queued).requeue(callbackId.value());
        verify(callControl, never()).dialOutbound(any(), any(), any(), any());
    }

    @Test
    void customerDoesNotAnswer_retryAfterTheDelay_thenGiveUpWithARecord() {
        requested();
        customerFails(reserveAgentAndAwaitRinging(), 1, AgentLegOutcome.RING_TIMEOUT);
        verify(queued).attemptEnded(callbackId.value(), "CUSTOMER_NO_ANSWER");
        verify(distributor).completed(callbackId, AGENT);
        assertThat(callback).isWaitingAt("RetryDelay");

        fireTimer("RetryDelay");
        assertThat(callback).hasPassed("RequeueCallback").isWaitingAt("WaitForAgent");
        verify(queued).requeue(callbackId.value());

        customerFails(reserveAgentAndAwaitRinging(), 2, AgentLegOutcome.BUSY);
        verify(queued).attemptEnded(callbackId.value(), "CUSTOMER_BUSY");
        assertThat(callback).isEnded().hasPassed("GiveUpCallback", "CallbackFailed");
        verify(queued).finish(callbackId.value(), "FAILED");
        assertThat(record()).containsEntry("outcome", "CallbackFailed");
    }

    @Test
    void windowPasses_callbackExpires() {
        requested();
        fireTimer("CallbackWindowClosed");
        assertThat(callback).isEnded().hasPassed("ExpireCallback", "CallbackExpired");
        verify(queued).finish(callbackId.value(), "EXPIRED");
    }

    @Test
    void cancelled_processEnds() {
        requested();
        when(queued.cancel(callbackId.value())).thenReturn(true);
        assertThat(callbacks.cancel(callbackId.value())).isTrue();
        assertThat(callback).isEnded().hasPassed("CallbackCancelled");
        assertThat(record()).containsEntry("outcome", "CallbackCancelled");
    }

    @Test
    void attemptLostWithItsNode_agentReleasedAndTheCallbackWaitsAgain() {
        requested();
        reserveAgentAndAwaitRinging();
        when(queued.isCallback(callbackId.value())).thenReturn(true);
        when(distributor.callLost(callbackId)).thenReturn(List.of(AGENT));
        assertThat(callbacks.lost(callbackId, "NODE_LOST")).contains(List.of(AGENT));
        assertThat(callback).hasPassed("RequeueCallback").isWaitingAt("WaitForAgent");
        verify(queued).attemptEnded(callbackId.value(), Callbacks.LOST);
    }

    @Test
    void aCallThatIsNoCallbackIsLeftToTheUsualReconciliation() {
        assertThat(callbacks.lost(CallId.random(), "NODE_LOST")).isEmpty();
    }

    // ---- the callback branch of inbound-call.bpmn ----

    @Test
    void callerPressesTheCallbackKeyAndConfirmsTheirNumber_callbackArrangedAndCallEnds() {
        ProcessInstance call = inQueue();
        CallId callId = new CallId(call.getBusinessKey());
        when(queued.takePlace(eq(callId.value()), anyString(), eq("4930123456"))).thenAnswer(invocation ->
                Optional.of(view(invocation.getArgument(1), callId.value(), "4930123456")));
        press(callId, "5");
        assertThat(call).hasPassed("CallbackChosen", "CallbackChosenInQueue").isWaitingAt("ConfirmCallbackNumber");
        verify(callControl).play(callId, List.of("callback-confirm-number"), "en", true);

        press(callId, "1");
        assertThat(call).hasPassed("RequestCallback").isWaitingAt("PlayCallbackConfirmed");
        String id = (String) runtimeService.getVariable(call.getId(), "callbackId");
        ProcessInstance started = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(id)
                .singleResult();
        assertThat(started).isNotNull().isWaitingAt("WaitForAgent").variables()
                .containsEntry("number", "4930123456").containsEntry("queue", "support")
                .containsEntry("originalCallId", callId.value()).containsEntry("retries", 1);

        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isEnded().hasPassed("HangUpAfterCallback", "CallbackArranged");
        verify(callControl).hangUp(callId);
        verify(distributor, never()).leave(eq(callId), any());
    }

    @Test
    void callerEntersAnotherNumber_callbackToThatNumber() {
        ProcessInstance call = inQueue();
        CallId callId = new CallId(call.getBusinessKey());
        when(queued.takePlace(eq(callId.value()), anyString(), eq("4989777888"))).thenAnswer(invocation ->
                Optional.of(view(invocation.getArgument(1), callId.value(), "4989777888")));
        press(callId, "5");
        press(callId, "2");
        assertThat(call).isWaitingAt("EnterCallbackNumber");
        press(callId, "4989777888");
        assertThat(call).hasPassed("RequestCallback").isWaitingAt("PlayCallbackConfirmed").variables()
                .containsEntry("callbackNumber", "4989777888");
    }

    @Test
    void noChoiceAtTheConfirmation_callerKeepsWaitingInTheQueue() {
        ProcessInstance call = inQueue();
        CallId callId = new CallId(call.getBusinessKey());
        press(callId, "5");
        publish(new NoInput(callId, Instant.now()));
        assertThat(call).hasPassed("RequeueCall").hasNotPassed("RequestCallback")
                .isWaitingAt("AnnounceQueuePosition", "ListenForCallbackKey");
    }

    @Test
    void callNoLongerWaiting_callbackRefusedAndTheCallerKeepsWaiting() {
        ProcessInstance call = inQueue();
        CallId callId = new CallId(call.getBusinessKey());
        when(queued.takePlace(anyString(), anyString(), anyString())).thenReturn(Optional.empty());
        press(callId, "5");
        press(callId, "1");
        assertThat(call).hasPassed("CallbackRefused", "RequeueCall")
                .isWaitingAt("AnnounceQueuePosition", "ListenForCallbackKey");
    }

    @Test
    void anotherKeyWhileWaiting_keepsListening() {
        ProcessInstance call = inQueue();
        CallId callId = new CallId(call.getBusinessKey());
        press(callId, "7");
        assertThat(call).hasNotPassed("CallbackChosen").isWaitingAt("AnnouncementDue", "ListenForCallbackKey");
    }

    @Test
    void aQueueWithoutCallbacks_doesNotListen() {
        when(queued.settings(any())).thenReturn(CallbackSettings.OFF);
        ProcessInstance call = inQueue();
        assertThat(call).hasPassed("NoCallbackOffer").isWaitingAt("AnnouncementDue");
    }

    // ---- helpers ----

    private void requested() {
        requested("agent-first");
    }

    private void requested(String order) {
        callbackId = CallId.random();
        Map<String, Object> variables = new HashMap<>();
        variables.put("order", order);
        variables.put("queue", "support");
        variables.put("number", NUMBER);
        variables.put("caller", NUMBER);
        variables.put("did", "support");
        variables.put("retries", 1);
        variables.put("retryDelay", "PT2M");
        variables.put("expiresAt", Date.from(Instant.now().plus(Duration.ofHours(4))));
        variables.put("attempts", 0);
        callback = runtimeService.startProcessInstanceByKey(Callbacks.PROCESS, callbackId.value(), variables);
    }

    private String reserveAgentAndAwaitRinging() {
        events.publishEvent(new AgentReserved(callbackId, "support", AGENT, AGENT_USER, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(callback).isWaitingAt("WaitForAttempt"));
        int attempt = (Integer) runtimeService.getVariable(callback.getId(), "attempts");
        LegId agentLeg = new LegId("agent-" + callbackId + "-" + attempt);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> verify(callControl).originate(callbackId, agentLeg,
                AGENT_USER, NUMBER, Duration.ofSeconds(15)));
        return agentLeg.value();
    }

    private void customerFails(String agentLeg, int attempt, AgentLegOutcome outcome) {
        publish(new LegAnswered(callbackId, new LegId(agentLeg), AGENT_USER, Instant.now()));
        LegId customerLeg = new LegId("customer-" + callbackId + "-" + attempt);
        publish(new AgentLegFailed(callbackId, customerLeg, NUMBER, outcome, Instant.now()));
    }

    private ProcessInstance inQueue() {
        CallId callId = CallId.random();
        events.publishEvent(new CallArrived(callId, new LegId("caller-" + callId), "4930123456", "100", "carrier-a",
                "inbound-call", Instant.now()));
        ProcessInstance call = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId.value())
                .singleResult();
        press(callId, "2");
        publish(new PlaybackFinished(callId, Instant.now()));
        return call;
    }

    private CallbackView view(String id, String callId, String number) {
        Instant now = Instant.now();
        return new CallbackView(id, callId, "support", number, now, now, now.plus(Duration.ofHours(4)), "PENDING", 0,
                null, null, null);
    }

    private void press(CallId callId, String digits) {
        publish(new DigitsCollected(callId, digits, Instant.now()));
    }

    private void publish(Object event) {
        events.publishEvent(event);
    }

    private void fireTimer(String activityId) {
        var job = managementService.createJobQuery().processInstanceId(callback.getId()).activityId(activityId)
                .singleResult();
        assertThat(job).as("timer " + activityId).isNotNull();
        managementService.executeJob(job.getId());
    }

    private Map<String, Object> record() {
        return jdbc.queryForMap("select * from call_record where call_id = ?", callbackId.value());
    }
}
