package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.Mockito.verify;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.HangupCause;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.call.MixRole;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RepositoryService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.builder.ProcessBuilder;
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
 * The "Join Conference" task (template io.callflow.join-conference) on a conference bridge flow: two callers of the
 * bridge number share one room; the first hanging up leaves the other in it, the last one's going removes the room.
 * The call layer is a mock; the rooms, timeline and events are real.
 */
@SpringBootTest(properties = "camunda.bpm.job-execution.enabled=false")
@ActiveProfiles("test")
class JoinConferenceFlowTest {

    static final TestContent CONTENT = TestContent.create();

    @DynamicPropertySource
    static void isolatedDataDirectory(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @MockitoBean CallControl callControl;
    @Autowired RuntimeService runtimeService;
    @Autowired RepositoryService repositoryService;
    @Autowired ProcessEngine processEngine;
    @Autowired ApplicationEventPublisher events;
    @Autowired JdbcTemplate jdbc;
    @Autowired Conferences conferences;

    @BeforeEach
    void deployBridgeFlow() {
        AbstractAssertions.init(processEngine);
        ProcessBuilder process = Bpmn.createExecutableProcess("conference-bridge").camundaHistoryTimeToLive(1);
        process.startEvent("CallArrived").serviceTask("AnswerCall").camundaDelegateExpression("${answerCall}")
                .serviceTask("JoinConference").camundaDelegateExpression("${joinConference}")
                .camundaInputParameter("conferenceRoom", "bridge-${did}")
                .receiveTask("WaitForCallEnd").message("CallEnded").endEvent("CallEnded");
        process.eventSubProcess("CallerHangUp").startEvent("CallerHungUp").message("CallerHungUp").interrupting(true)
                .serviceTask("CleanUp").camundaDelegateExpression("${hangUpCall}").endEvent("CallerHungUpEnd");
        repositoryService.createDeployment().addString("conference-bridge.bpmn",
                Bpmn.convertToString(process.done())).deploy();
    }

    @Test
    void callersOfTheBridgeNumberShareARoomThatEndsWithTheLastOfThem() {
        long from = jdbc.queryForObject("select coalesce(max(seq), 0) from event_outbox", Long.class);
        CallId first = arrive();
        ProcessInstance firstFlow = flowOf(first);
        assertThat(firstFlow).isWaitingAt("WaitForCallEnd").hasPassed("AnswerCall", "JoinConference");
        assertThat(runtimeService.getVariable(firstFlow.getId(), "conferenceRoom")).isEqualTo("bridge-700");
        verify(callControl).answer(first);
        verify(callControl).joinMix(first, null, "conference-bridge-700", MixRole.PARTICIPANT, null);

        CallId second = arrive();
        verify(callControl).joinMix(second, null, "conference-bridge-700", MixRole.PARTICIPANT, null);
        Map<String, Object> room = conferences.find("bridge-700").orElseThrow();
        assertThat(room).containsEntry("hostCall", first.value()).containsEntry("moderator", null);
        assertThat(participants(room)).extracting(p -> p.get("callId")).containsExactly(first.value(),
                second.value());
        assertThat(participants(room)).allSatisfy(p -> assertThat(p).containsEntry("kind", "caller")
                .containsEntry("status", "JOINED").containsEntry("muted", false));

        // The first caller hangs up: its flow ends, the room goes on with the second.
        events.publishEvent(new LegHungUp(first, new LegId("caller-" + first), HangupCause.REMOTE_HANGUP,
                Instant.now()));
        assertThat(firstFlow).isEnded();
        Map<String, Object> after = conferences.find("bridge-700").orElseThrow();
        assertThat(participants(after)).extracting(p -> p.get("callId")).containsExactly(second.value());
        assertThat(after).as("the room's next host").containsEntry("hostCall", second.value());

        events.publishEvent(new LegHungUp(second, new LegId("caller-" + second), HangupCause.REMOTE_HANGUP,
                Instant.now()));
        assertThat(flowOf(second)).isNull();
        assertThat(conferences.find("bridge-700")).as("the room ends with its last participant").isEmpty();

        assertThat(jdbc.queryForList("select action from call_action where call_id = ? order by at, id",
                String.class, first.value())).containsSubsequence("CONFERENCE_JOINED", "CONFERENCE_LEFT");
        List<Map<String, Object>> rows = jdbc.queryForList("select event_type, call_id, data from event_outbox"
                + " where seq > ? and event_type like 'conference.%' order by seq", from);
        assertThat(rows).extracting(r -> r.get("event_type") + " " + r.get("call_id")).containsExactly(
                "conference.participant_joined " + first.value(), "conference.participant_joined " + second.value(),
                "conference.participant_left " + first.value(), "conference.participant_left " + second.value());
        assertThat(rows.get(2).get("data").toString()).contains("\"reason\":\"REMOTE_HANGUP\"",
                "\"room\":\"bridge-700\"");
    }

    private CallId arrive() {
        CallId callId = CallId.random();
        events.publishEvent(new CallArrived(callId, new LegId("caller-" + callId), "+4930123456", "700",
                "carrier-a", "conference-bridge", Instant.now()));
        return callId;
    }

    private ProcessInstance flowOf(CallId callId) {
        return runtimeService.createProcessInstanceQuery().processInstanceBusinessKey(callId.value())
                .singleResult();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> participants(Map<String, Object> room) {
        return (List<Map<String, Object>>) room.get("participants");
    }
}
