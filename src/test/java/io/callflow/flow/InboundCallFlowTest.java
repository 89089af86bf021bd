package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyBoolean;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.atLeastOnce;
import static org.mockito.Mockito.clearInvocations;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import io.callflow.acd.AgentReserved;
import io.callflow.acd.CallDistributor;
import io.callflow.acd.EnqueueRequest;
import io.callflow.acd.EnqueueResult;
import io.callflow.acd.QueueExit;
import io.callflow.acd.QueueLeft;
import io.callflow.acd.QueueSettings;
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
import io.callflow.call.TransferRequested;
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
 * Every path of the default flow and of the after-hours example flow (processes/inbound-call.bpmn), driven by the call events the SIP and media layers
 * publish, with the call layer, the ACD and the rules replaced by mocks. The job executor is off so timers fire only
 * when a test fires them.
 */
@SpringBootTest(properties = "camunda.bpm.job-execution.enabled=false")
@ActiveProfiles("test")
class InboundCallFlowTest {

    static final String AGENT = "agent-1001";
    static final String AGENT_USER = "1001";
    static final QueueSettings SUPPORT = new QueueSettings("support", Duration.ofMinutes(5), Duration.ofSeconds(15),
            Duration.ofSeconds(30), "default");

    static final TestContent CONTENT = TestContent.create();

    @DynamicPropertySource
    static void isolatedDataDirectory(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @MockitoBean CallControl callControl;
    @MockitoBean CallDistributor distributor;
    @MockitoBean CallRouter router;
    @Autowired RuntimeService runtimeService;
    @Autowired ManagementService managementService;
    @Autowired ProcessEngine processEngine;
    @Autowired ApplicationEventPublisher events;
    @Autowired JdbcTemplate jdbc;
    @Autowired CallCommands commands;

    CallId callId;
    ProcessInstance call;

    @BeforeEach
    void setUp() {
        AbstractAssertions.init(processEngine);
        when(router.route(any(), any())).thenReturn(decision(false, List.of()));
        when(distributor.enqueue(any())).thenAnswer(invocation -> new EnqueueResult.Queued(
                invocation.<EnqueueRequest>getArgument(0).queue(), 2, Duration.ofSeconds(90)));
        when(distributor.settings(any())).thenAnswer(invocation -> new QueueSettings(invocation.getArgument(0),
                SUPPORT.maxWait(), SUPPORT.ringTimeout(), SUPPORT.announceInterval(), "default"));
        when(distributor.position(any())).thenReturn(Optional.of(
                new EnqueueResult.Queued("support", 2, Duration.ofSeconds(90))));
    }

    @Test
    void happyPath_menuChoiceQueueAgentTalkAgentHangsUp() {
        arrive();
        assertThat(call).isWaitingAt("MainMenu");
        var order = inOrder(callControl);
        order.verify(callControl).answer(callId);
        order.verify(callControl).play(callId, List.of("welcome"), "en", false);
        order.verify(callControl).play(callId, List.of("menu"), "en", true);
        order.verify(callControl).collectDigits(eq(callId), any());

        press("1");
        assertThat(call).isWaitingAt("AnnounceQueuePosition");
        verify(router).route(argThat(facts -> facts.menuChoices().equals(List.of("1"))
                && facts.caller().equals("+4930123456") && facts.did().equals("100")), any());
        verify(distributor).enqueue(new EnqueueRequest(callId, "support", 0, Map.of("english", 3), "+4930123456",
                true));
        verify(callControl).play(callId, List.of("please-hold", "you-are-number", "2", "in-queue",
                "estimated-wait", "2", "minutes"), "en", false);

        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isWaitingAt("AnnouncementDue");
        verify(callControl).playMusic(callId, "default");

        String agentLeg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(agentLeg), AGENT_USER, Instant.now()));
        assertThat(call).isWaitingAt("WaitForCallEnd");
        verify(distributor).offerAnswered(callId, AGENT);
        verify(callControl).startRecording(callId);
        verify(callControl).bridge(callId, new LegId(agentLeg));

        publish(new LegHungUp(callId, new LegId(agentLeg), HangupCause.REMOTE_HANGUP, Instant.now()));
        assertThat(call).isEnded().hasPassed("CompleteCall", "CallCompleted");
        verify(distributor).completed(callId, AGENT);
        verify(callControl).hangUp(callId);
        assertThat(record()).containsEntry("outcome", "CallCompleted").containsEntry("agent", AGENT)
                .containsEntry("queue_name", "support").containsEntry("menu_choice", "1")
                .containsEntry("routing_rules", "Menu choice to queue");
        assertThat(record().get("answered_at")).isNotNull();
        assertThat(record().get("ended_at")).isNotNull();
    }

    @Test
    void aFreeAgentIsOfferedAtOnceWithoutWaitingInTheQueue() {
        doReturn(new EnqueueResult.Reserved("support", AGENT, AGENT_USER)).when(distributor).enqueue(any());
        arrive();
        press("1");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(call).isWaitingAt("OfferToAgent"));
        assertThat(call).hasPassed("EnqueueCall", "AgentFreeAtOnce").hasNotPassed("WaitInQueue")
                .variables().containsEntry("agentReserved", true).containsEntry("agentId", AGENT);
        verify(distributor).offerRinging(callId, AGENT);
        String leg = (String) runtimeService.getVariable(call.getId(), CallEventCorrelator.AGENT_LEG);
        verify(callControl).dialAgent(callId, new LegId(leg), AGENT_USER, Duration.ofSeconds(15));
        verify(callControl, never()).play(eq(callId), argThat(prompts -> prompts.contains("please-hold")), any(),
                anyBoolean());

        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));
        assertThat(call).isWaitingAt("WaitForCallEnd").variables().containsEntry("connectedAgent", AGENT);
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CallCompletedByCaller");
        verify(distributor).completed(callId, AGENT);
    }

    @Test
    void noInputReplaysTheMenu() {
        arrive();
        publish(new NoInput(callId, Instant.now()));
        assertThat(call).hasPassed("PlayNoInput").isWaitingAt("MainMenu");
        verify(callControl).play(callId, List.of("no-input"), "en", false);
        assertThat(call).variables().containsEntry("menuAttempts", 2);

        press("2");
        assertThat(call).isWaitingAt("AnnounceQueuePosition");
    }

    @Test
    void invalidChoiceReplaysTheMenu() {
        arrive();
        press("7");
        assertThat(call).hasPassed("PlayInvalid").isWaitingAt("MainMenu");
        verify(callControl).play(callId, List.of("invalid"), "en", false);
        verify(callControl, times(2)).collectDigits(eq(callId), any());
    }

    @Test
    void menuRetriesExhaustedRoutesWithoutAChoice() {
        arrive();
        publish(new NoInput(callId, Instant.now()));
        press("7");
        publish(new NoInput(callId, Instant.now()));

        assertThat(call).hasPassed("RouteByRules").isWaitingAt("AnnounceQueuePosition").variables()
                .containsEntry("menuAttempts", 3);
        verify(callControl, times(3)).collectDigits(eq(callId), any());
        verify(router).route(argThat(facts -> facts.menuChoices().equals(List.of(""))
                || facts.menuChoices().isEmpty()), any());
    }

    @Test
    void closedCentrePlaysClosedAndHangsUp() {
        when(router.route(any(), any())).thenReturn(decision(true, List.of()));
        arrive();
        press("1");
        assertThat(call).isWaitingAt("PlayClosed");
        verify(callControl).play(callId, List.of("closed", "goodbye"), "en", false);
        verify(callControl, never()).hangUp(callId);

        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isEnded().hasPassed("HangUpClosed", "CallClosed");
        verify(callControl).hangUp(callId);
        verify(distributor, never()).enqueue(any());
        assertThat(record()).containsEntry("outcome", "CallClosed");
    }

    @Test
    void agentNoAnswerThenRetryWithHigherPriorityAndTheNextAgentAnswers() {
        inQueue();
        String firstLeg = reserveAgentAndAwaitRinging();
        publish(new AgentLegFailed(callId, new LegId(firstLeg), AGENT_USER, AgentLegOutcome.RING_TIMEOUT,
                Instant.now()));

        assertThat(call).hasPassed("OfferFailed").isWaitingAt("RetryBackoff");
        verify(distributor).offerFailed(callId, AGENT, AgentLegOutcome.RING_TIMEOUT);
        assertThat(call).variables().containsEntry("offerAttempts", 1).containsEntry("retryBackoff", "PT2S")
                .containsEntry("priority", 10);

        fireTimer("RetryBackoff");
        assertThat(call).hasPassed("RequeueCall").isWaitingAt("AnnounceQueuePosition");
        verify(distributor).enqueue(new EnqueueRequest(callId, "support", 10, Map.of("english", 3), "+4930123456"));

        publish(new PlaybackFinished(callId, Instant.now()));
        String secondLeg = reserveAgentAndAwaitRinging("agent-1002", "1002");
        assertThat(secondLeg).isNotEqualTo(firstLeg);
        publish(new LegAnswered(callId, new LegId(secondLeg), "1002", Instant.now()));
        assertThat(call).isWaitingAt("WaitForCallEnd").variables().containsEntry("connectedAgent", "agent-1002");
    }

    @Test
    void retriesExhaustedWithoutOverflowApologisesAndHangsUp() {
        inQueue();
        for (int attempt = 1; attempt <= 3; attempt++) {
            String leg = reserveAgentAndAwaitRinging();
            publish(new AgentLegFailed(callId, new LegId(leg), AGENT_USER, AgentLegOutcome.BUSY, Instant.now()));
            if (attempt < 3) {
                assertThat(call).variables().containsEntry("retryBackoff", "PT" + (2 << (attempt - 1)) + "S");
                fireTimer("RetryBackoff");
                publish(new PlaybackFinished(callId, Instant.now()));
            }
        }
        assertThat(call).hasPassed("LeaveQueueAfterRetries", "NextOverflowQueue").isWaitingAt("PlayApology");
        verify(distributor).leave(callId, QueueExit.EXITWITHTIMEOUT);
        verify(distributor, times(3)).offerFailed(callId, AGENT, AgentLegOutcome.BUSY);

        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isEnded().hasPassed("CallNotServed");
        assertThat(record()).containsEntry("outcome", "CallNotServed").containsEntry("offer_attempts", 3);
    }

    @Test
    void maxWaitPassedOverflowsToTheNextQueue() {
        when(router.route(any(), any())).thenReturn(decision(false, List.of("callback-overflow")));
        inQueue();

        fireTimer("MaxWaitPassed");
        assertThat(call).hasPassed("LeaveQueueOnTimeout", "NextOverflowQueue", "OverflowAvailable")
                .isWaitingAt("AnnounceQueuePosition").variables().containsEntry("queue", "callback-overflow");
        verify(distributor).leave(callId, QueueExit.EXITWITHTIMEOUT);
        verify(distributor).enqueue(argThat(request -> request.queue().equals("callback-overflow")));
        // The overflow queue gets a max wait of its own.
        assertThat(managementService.createJobQuery().processInstanceId(call.getId()).activityId("MaxWaitPassed")
                .count()).isEqualTo(1);
    }

    @Test
    void aQueueEmptiedByTheAcdOverflowsTheCall() {
        when(router.route(any(), any())).thenReturn(decision(false, List.of("callback-overflow")));
        inQueue();

        events.publishEvent(new QueueLeft(callId, "support", "EXITEMPTY", Instant.now()));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(call)
                .hasPassed("QueueEmptied", "NextOverflowQueue").isWaitingAt("AnnounceQueuePosition"));
        assertThat(call).variables().containsEntry("queue", "callback-overflow")
                .containsEntry("queueLeftReason", "EXITEMPTY");
    }

    @Test
    void rejectedQueueOverflowsAndAnEmptyChainEndsTheCall() {
        when(router.route(any(), any())).thenReturn(decision(false, List.of("callback-overflow")));
        doReturn(new EnqueueResult.Rejected("support", "no agent logged in"),
                new EnqueueResult.Rejected("callback-overflow", "closed")).when(distributor).enqueue(any());
        arrive();
        press("2");

        assertThat(call).hasPassed("QueueRejected", "NextOverflowQueue").isWaitingAt("PlayApology")
                .variables().containsEntry("queueRejectedReason", "closed");
        verify(distributor, times(2)).enqueue(any());
    }

    @Test
    void callerHangsUpInTheMenu() {
        arrive();
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CleanUpCall", "CallAbandoned");
        verify(distributor).leave(callId, QueueExit.ABANDON);
        verify(callControl).hangUp(callId);
        assertThat(record()).containsEntry("outcome", "CallAbandoned").containsEntry("hangup_cause", "REMOTE_HANGUP");
    }

    @Test
    void callerHangsUpWhileQueued() {
        inQueue();
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CallAbandoned");
        verify(distributor).leave(callId, QueueExit.ABANDON);
        verify(callControl, never()).cancelAgentLeg(any(), any());
    }

    @Test
    void callerHangsUpWhileTheAgentRings() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CallAbandoned");
        verify(distributor).leave(callId, QueueExit.ABANDON);
        verify(callControl).cancelAgentLeg(callId, new LegId(leg));
        verify(distributor, never()).offerAnswered(any(), any());
    }

    @Test
    void callerHangsUpWhileTalking() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CallCompletedByCaller");
        verify(distributor).completed(callId, AGENT);
        verify(distributor, never()).leave(any(), any());
        assertThat(record()).containsEntry("outcome", "CallCompletedByCaller").containsEntry("agent", AGENT);
    }

    @Test
    void hangUpRacingTheAgentsAnswerLeavesNoAgentReserved() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        // Both arrive on the call's lane back to back: the hang-up first, then the answer that crossed it.
        callerHangsUp();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));

        assertThat(call).isEnded().hasPassed("CallAbandoned");
        verify(distributor).leave(callId, QueueExit.ABANDON);
        verify(distributor, never()).offerAnswered(any(), any());
        verify(callControl).cancelAgentLeg(callId, new LegId(leg));
        assertThat(record()).containsEntry("outcome", "CallAbandoned");
    }

    @Test
    void aReservationForACallThatHasEndedReleasesTheAgent() {
        arrive();
        callerHangsUp();
        clearInvocations(distributor);

        events.publishEvent(new AgentReserved(callId, "support", AGENT, AGENT_USER, Instant.now()));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                verify(distributor).leave(callId, QueueExit.ABANDON));
    }

    @Test
    void consultationStepsAreNotedWhileTalkingAndTheTargetEndsTheCall() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));
        for (String step : List.of("CONSULT", "CONSULT_ANSWERED", "CONSULT_COMPLETED")) {
            runtimeService.createMessageCorrelation(Consultations.TRANSFER_STEP)
                    .processInstanceBusinessKey(callId.value())
                    .setVariablesLocal(Map.of("transferStep", step, "transferStepDetail", "with agent:bob"))
                    .correlateAllWithResult();
        }
        // The steps ran beside the conversation, which goes on waiting for its end.
        assertThat(call).isWaitingAt("WaitForCallEnd").hasPassedInOrder("NoteTransferStep", "NoteTransferStep",
                "NoteTransferStep").variables().containsEntry(NoteTransferStepDelegate.TRAIL,
                "CONSULT with agent:bob\nCONSULT_ANSWERED with agent:bob\nCONSULT_COMPLETED with agent:bob");
        // Completion handed the call to the target: its leg and agent end the call as the first agent's would.
        runtimeService.setVariables(call.getId(), Map.of("agentLeg", "consult-leg", "connectedAgent", "bob"));
        publish(new LegHungUp(callId, new LegId(leg), HangupCause.LOCAL_HANGUP, Instant.now()));
        assertThat(call).isWaitingAt("WaitForCallEnd");
        publish(new LegHungUp(callId, new LegId("consult-leg"), HangupCause.REMOTE_HANGUP, Instant.now()));
        assertThat(call).isEnded().hasPassed("CompleteCall", "CallCompleted");
        verify(distributor).completed(callId, "bob");
        assertThat(record()).containsEntry("agent", "bob");
    }

    @Test
    void agentTransfersTheCaller() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));
        publish(new TransferRequested(callId, new LegId(leg), "sip:2000@callflow.local", Instant.now()));

        assertThat(call).isEnded().hasPassed("TransferCall", "FinishTransferredCall", "CallTransferred");
        verify(callControl).transfer(callId, "sip:2000@callflow.local");
        verify(distributor).completed(callId, AGENT);
        verify(callControl, never()).hangUp(callId);
    }

    @Test
    void anOperatorHangsUpAQueuedCall() {
        inQueue();
        commands.hangUp(callId.value(), "boss");

        assertThat(call).isEnded().hasPassed("CallerHungUp", "CleanUpCall", "CallAbandoned");
        verify(distributor).leave(callId, QueueExit.ABANDON);
        verify(callControl).hangUp(callId);
        assertThat(record()).containsEntry("hangup_cause", CallCommands.API_HANGUP);
        assertThat(jdbc.queryForList("select action || ' by ' || actor from call_action where call_id = ?",
                String.class, callId.value())).containsExactly("HANGUP by boss");
    }

    @Test
    void anOperatorTransfersAQueuedCallToANumber() {
        inQueue();
        commands.transferToNumber(callId.value(), "+4930999", "boss");

        assertThat(call).isEnded().hasPassed("OperatorTransferRequested", "ReleaseForTransfer", "TransferByOperator",
                "CallTransferredByOperator");
        verify(distributor).leave(callId, QueueExit.TRANSFER);
        verify(callControl).transfer(callId, "+4930999");
        verify(callControl, never()).hangUp(callId);
        assertThat(record()).containsEntry("outcome", "CallTransferredByOperator");
    }

    @Test
    void anOperatorTransfersARingingCallAndTheAgentLegIsCancelled() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        commands.transferToNumber(callId.value(), "sip:2000@callflow.local", "boss");

        assertThat(call).isEnded().hasPassed("ReleaseForTransfer", "CallTransferredByOperator");
        verify(distributor).leave(callId, QueueExit.TRANSFER);
        verify(callControl).cancelAgentLeg(callId, new LegId(leg));
        verify(callControl).transfer(callId, "sip:2000@callflow.local");
    }

    @Test
    void anOperatorTransfersATalkingCallAndTheAgentGoesToWrapUp() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));
        commands.transferToNumber(callId.value(), "+4930999", "boss");

        assertThat(call).isEnded().hasPassed("WaitForCallEnd", "ReleaseForTransfer", "TransferByOperator",
                "CallTransferredByOperator");
        verify(distributor).completed(callId, AGENT);
        verify(distributor, never()).leave(any(), any());
        verify(callControl).transfer(callId, "+4930999");
    }

    @Test
    void anOperatorMovesAWaitingCallToAnotherQueue() {
        inQueue();
        runtimeService.setVariable(call.getId(), EnqueueCallDelegate.QUEUE_DEADLINE,
                java.util.Date.from(Instant.now().plusSeconds(5)));
        commands.transferToQueue(callId.value(), "billing", "boss");

        assertThat(call).hasPassed("QueueTransferRequested", "LeaveQueueForTransfer").isWaitingAt(
                "AnnounceQueuePosition");
        verify(distributor).leave(callId, QueueExit.TRANSFER);
        verify(distributor).enqueue(new EnqueueRequest(callId, "billing", 0, Map.of("english", 3), "+4930123456",
                true));
        assertThat(runtimeService.getVariable(call.getId(), "queue")).isEqualTo("billing");
        assertThat((java.util.Date) runtimeService.getVariable(call.getId(), EnqueueCallDelegate.QUEUE_DEADLINE))
                .as("the new queue's own max wait").isAfter(java.util.Date.from(Instant.now().plusSeconds(60)));
    }

    @Test
    void onlyAWaitingCallCanBeMovedToAnotherQueue() {
        inQueue();
        String leg = reserveAgentAndAwaitRinging();
        publish(new LegAnswered(callId, new LegId(leg), AGENT_USER, Instant.now()));

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> commands.transferToQueue(callId.value(), "billing",
                "boss")).isInstanceOf(CallCommandRefused.class).hasMessageContaining("not waiting in a queue");
        assertThat(call).isWaitingAt("WaitForCallEnd");
        assertThat(runtimeService.getVariable(call.getId(), "queue")).isEqualTo("support");
    }

    @Test
    void callDataBecomesProcessVariablesButNeverOverwritesTheFlowsOwn() {
        inQueue();
        assertThat(commands.setData(callId.value(), Map.of("ticket", "T-42", "score", 7L), false, "crm"))
                .containsEntry("ticket", "T-42").containsEntry("score", 7L);
        assertThat(runtimeService.getVariables(call.getId())).containsEntry("ticket", "T-42")
                .containsEntry("score", 7L);

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> commands.setData(callId.value(),
                Map.of("queue", "vip"), false, "crm")).isInstanceOf(CallCommandRefused.class);
        assertThat(runtimeService.getVariable(call.getId(), "queue")).isEqualTo("support");

        // PUT semantics: keys set through the API and missing now are removed.
        assertThat(commands.setData(callId.value(), Map.of("ticket", "T-43"), true, "crm"))
                .containsOnlyKeys("ticket");
        assertThat(runtimeService.getVariables(call.getId())).containsEntry("ticket", "T-43")
                .doesNotContainKey("score");
    }

    @Test
    void afterHoursFlowTakesACallbackRequest() {
        arrive("after-hours");
        assertThat(call).isWaitingAt("OfferCallback");
        verify(callControl).play(callId, List.of("closed", "callback-offer"), "en", true);

        press("1");
        assertThat(call).isWaitingAt("PlayCallbackRecorded").variables().containsEntry("callbackRequested", true);
        publish(new PlaybackFinished(callId, Instant.now()));

        assertThat(call).isEnded().hasPassed("HangUpAfterCallback", "CallbackRequested");
        verify(callControl).hangUp(callId);
        assertThat(record()).containsEntry("outcome", "CallbackRequested").containsEntry("flow_key", "after-hours")
                .containsEntry("caller", "+4930123456");
    }

    @Test
    void afterHoursFlowWithoutACallbackSaysGoodbye() {
        arrive("after-hours");
        publish(new NoInput(callId, Instant.now()));
        assertThat(call).isWaitingAt("PlayGoodbye");
        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isEnded().hasPassed("ClosedNoCallback");
        assertThat(record()).containsEntry("outcome", "ClosedNoCallback");
    }

    @Test
    void afterHoursCallerHangingUpIsRecordedAsAbandoned() {
        arrive("after-hours");
        callerHangsUp();
        assertThat(call).isEnded().hasPassed("CallAbandoned");
        assertThat(record()).containsEntry("outcome", "CallAbandoned");
    }

    private RoutingDecision decision(boolean closed, List<String> overflow) {
        return new RoutingDecision("support", 0, Map.of("english", 3), overflow, closed,
                List.of("Menu choice to queue"));
    }

    @Test
    void languageMenu_germanChosen_promptsAnnouncementsRoutingAndRecordInGerman() {
        arriveAt("inbound-call", trilingualNumber());
        assertThat(call).isWaitingAt("LanguageMenu");
        verify(callControl).play(callId, List.of("en:for-this-language", "en:1", "de:for-this-language", "de:2",
                "fr:for-this-language", "fr:3"), "en", true);

        press("2");
        assertThat(call).hasPassed("SetLanguage").isWaitingAt("MainMenu");
        assertThat(call).variables().containsEntry("language", "de");
        verify(callControl).play(callId, List.of("welcome"), "de", false);
        verify(callControl).play(callId, List.of("menu"), "de", true);

        // German reads 21 whole ("einundzwanzig"), and one minute has its own prompt ("eine Minute").
        when(distributor.position(any())).thenReturn(Optional.of(
                new EnqueueResult.Queued("support", 21, Duration.ofSeconds(50))));
        press("2");
        assertThat(call).isWaitingAt("AnnounceQueuePosition");
        verify(router).route(argThat(facts -> "de".equals(facts.language())), any());
        verify(callControl).play(callId, List.of("please-hold", "you-are-number", "21", "in-queue",
                "estimated-wait", "one-minute"), "de", false);

        callerHangsUp();
        assertThat(call).isEnded();
        assertThat(jdbc.queryForObject("select language from call_record where call_id = ?", String.class,
                callId.value())).isEqualTo("de");
    }

    @Test
    void languageMenu_noKeyOrAnotherKey_keepsTheNumbersDefault() {
        for (String key : new String[] {"", "7", "#"}) {
            arriveAt("inbound-call", trilingualNumber());
            assertThat(call).isWaitingAt("LanguageMenu");
            press(key);
            assertThat(call).hasPassed("SetLanguage").isWaitingAt("MainMenu");
            assertThat(call).variables().containsEntry("language", "en");
            callerHangsUp();
        }
    }

    @Test
    void oneLanguage_noMenu_andNoLanguageVariablesBeyondTheLanguage() {
        arrive();
        assertThat(call).isWaitingAt("MainMenu").hasNotPassed("LanguageMenu");
        assertThat(call).variables().containsEntry("language", "en").doesNotContainKeys("languages",
                "languageMenuPrompts");
        callerHangsUp();
    }


    private void arrive() {
        arrive("inbound-call");
    }

    private void arrive(String flow) {
        arriveAt(flow, "100");
    }

    /** A number offering English, German and French, in that order; each test its own, since numbers are cached. */
    private String trilingualNumber() {
        String did = "3" + Math.abs(System.nanoTime() % 1_000_000);
        jdbc.update("insert into did_route (did, flow_key, languages, managed_by) values (?, 'inbound-call',"
                + " 'en,de,fr', 'api')", did);
        return did;
    }

    private void arriveAt(String flow, String did) {
        callId = CallId.random();
        events.publishEvent(new CallArrived(callId, new LegId("caller-" + callId), "+4930123456", did, "carrier-a",
                flow, Instant.now()));
        call = runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId.value()).singleResult();
        assertThat(call).isNotNull();
    }

    private void inQueue() {
        arrive();
        press("2");
        publish(new PlaybackFinished(callId, Instant.now()));
        assertThat(call).isWaitingAt("AnnouncementDue");
    }

    private void press(String digits) {
        publish(new DigitsCollected(callId, digits, Instant.now()));
    }

    private void callerHangsUp() {
        publish(new LegHungUp(callId, new LegId("caller-" + callId), HangupCause.REMOTE_HANGUP, Instant.now()));
    }

    private void publish(Object event) {
        events.publishEvent(event);
    }

    private String reserveAgentAndAwaitRinging() {
        return reserveAgentAndAwaitRinging(AGENT, AGENT_USER);
    }

    /** The ACD's reservation reaches the flow on the call's lane; returns the agent leg the flow rang. */
    private String reserveAgentAndAwaitRinging(String agentId, String sipUser) {
        events.publishEvent(new AgentReserved(callId, "support", agentId, sipUser, Instant.now()));
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(call).isWaitingAt("OfferToAgent"));
        verify(distributor, atLeastOnce()).offerRinging(callId, agentId);
        String leg = (String) runtimeService.getVariable(call.getId(), CallEventCorrelator.AGENT_LEG);
        verify(callControl).dialAgent(callId, new LegId(leg), sipUser, Duration.ofSeconds(15));
        return leg;
    }

    private void fireTimer(String activityId) {
        var job = managementService.createJobQuery().processInstanceId(call.getId()).activityId(activityId)
                .singleResult();
        assertThat(job).as("timer " + activityId).isNotNull();
        managementService.executeJob(job.getId());
    }

    private Map<String, Object> record() {
        return jdbc.queryForMap("select * from call_record where call_id = ?", callId.value());
    }
}
