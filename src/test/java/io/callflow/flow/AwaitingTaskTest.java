package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.camunda.bpm.engine.test.assertions.bpmn.BpmnAwareTests.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.verify;

import java.time.Duration;
import java.time.Instant;

import io.callflow.call.CallControl;
import io.callflow.call.CallControl.DigitCollection;
import io.callflow.call.CallId;
import io.callflow.call.DigitsCollected;
import io.callflow.call.NoInput;
import io.callflow.support.TestContent;
import org.camunda.bpm.engine.ProcessEngine;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.test.assertions.bpmn.AbstractAssertions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.context.bean.override.mockito.MockitoBean;

// The assertions read a finished instance's variables, which history keeps from level audit up (Callflow's default,
// activity, keeps only the path).
@SpringBootTest(properties = "camunda.bpm.history-level=audit")
@ActiveProfiles("test")
@DirtiesContext
class AwaitingTaskTest {

    static final String MENU = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="MenuDefinitions"
                targetNamespace="https://callflow.io/test">
              <bpmn:process id="menu-test" isExecutable="true" camunda:historyTimeToLive="P1D">
                <bpmn:startEvent id="CallArrived" />
                <bpmn:sequenceFlow id="ToMenu" sourceRef="CallArrived" targetRef="MainMenu" />
                <bpmn:serviceTask id="MainMenu" camunda:delegateExpression="${collectDigits}">
                  <bpmn:extensionElements>
                    <camunda:inputOutput>
                      <camunda:inputParameter name="maxDigits">2</camunda:inputParameter>
                      <camunda:inputParameter name="terminator">#</camunda:inputParameter>
                      <camunda:inputParameter name="firstDigitTimeout">PT4S</camunda:inputParameter>
                    </camunda:inputOutput>
                  </bpmn:extensionElements>
                </bpmn:serviceTask>
                <bpmn:boundaryEvent id="MenuTookTooLong" attachedToRef="MainMenu">
                  <bpmn:timerEventDefinition><bpmn:timeDuration>PT1H</bpmn:timeDuration></bpmn:timerEventDefinition>
                </bpmn:boundaryEvent>
                <bpmn:sequenceFlow id="ToTooLong" sourceRef="MenuTookTooLong" targetRef="SecondMenu" />
                <bpmn:serviceTask id="SecondMenu" camunda:delegateExpression="${collectDigits}" />
                <bpmn:sequenceFlow id="ToChoice" sourceRef="MainMenu" targetRef="Choice" />
                <bpmn:sequenceFlow id="ToChoice2" sourceRef="SecondMenu" targetRef="Choice" />
                <bpmn:exclusiveGateway id="Choice" default="ToOther" />
                <bpmn:sequenceFlow id="ToNoInput" sourceRef="Choice" targetRef="NoInputGiven">
                  <bpmn:conditionExpression>${digits == ''}</bpmn:conditionExpression>
                </bpmn:sequenceFlow>
                <bpmn:sequenceFlow id="ToOther" sourceRef="Choice" targetRef="DigitsGiven" />
                <bpmn:endEvent id="NoInputGiven" />
                <bpmn:endEvent id="DigitsGiven" />
              </bpmn:process>
            </bpmn:definitions>
            """;

    static final TestContent CONTENT = TestContent.create().with("processes/menu-test.bpmn", MENU);

    @DynamicPropertySource
    static void content(DynamicPropertyRegistry registry) {
        CONTENT.properties().forEach((key, value) -> registry.add(key, () -> value));
    }

    @MockitoBean CallControl callControl;
    @Autowired RuntimeService runtimeService;
    @Autowired ProcessEngine processEngine;
    @Autowired ApplicationEventPublisher events;

    @BeforeEach
    void bindAssertions() {
        AbstractAssertions.init(processEngine);
    }

    @Test
    void theTaskSendsItsCommandAndTheAnsweringEventResumesIt() {
        var call = runtimeService.startProcessInstanceByKey("menu-test", "call-menu-1");

        assertThat(call).isWaitingAt("MainMenu");
        verify(callControl).collectDigits(new CallId("call-menu-1"),
                new DigitCollection(2, '#', Duration.ofSeconds(4), Duration.ofSeconds(3)));

        events.publishEvent(new DigitsCollected(new CallId("call-menu-1"), "42", Instant.now()));

        assertThat(call).hasPassed("DigitsGiven").isEnded().variables().containsEntry("digits", "42");
    }

    @Test
    void noInputResumesWithEmptyDigits() {
        var call = runtimeService.startProcessInstanceByKey("menu-test", "call-menu-2");

        events.publishEvent(new NoInput(new CallId("call-menu-2"), Instant.now()));

        assertThat(call).hasPassed("NoInputGiven").isEnded();
    }

    @Test
    void aTaskLeftThroughABoundaryEventNoLongerTakesItsOldEvent() {
        var call = runtimeService.startProcessInstanceByKey("menu-test", "call-menu-3");
        var timer = processEngine.getManagementService().createJobQuery().processInstanceId(call.getId())
                .timers().singleResult();
        processEngine.getManagementService().executeJob(timer.getId());
        assertThat(call).isWaitingAt("SecondMenu");
        assertThat(runtimeService.createExecutionQuery().processInstanceId(call.getId())
                .variableValueEquals(AwaitingTask.AWAITING, FlowMessages.DIGITS_COLLECTED).count()).isEqualTo(1);

        events.publishEvent(new DigitsCollected(new CallId("call-menu-3"), "7", Instant.now()));

        assertThat(call).hasPassed("SecondMenu", "DigitsGiven").isEnded();
        verify(callControl, org.mockito.Mockito.times(2)).collectDigits(eq(new CallId("call-menu-3")), any());
    }
}
