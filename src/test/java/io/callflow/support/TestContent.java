package io.callflow.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.springframework.test.context.DynamicPropertyRegistry;

/** Temporary on-disk content folders (processes, rules, prompts, ui) and data directory for application tests. */
public record TestContent(Path root) {

    public static final String EXTRA_FLOW = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="ExtraDefinitions"
                targetNamespace="https://callflow.io/test">
              <bpmn:process id="after-hours" isExecutable="true" camunda:historyTimeToLive="P1D">
                <bpmn:startEvent id="CallArrived" />
                <bpmn:sequenceFlow id="ToDone" sourceRef="CallArrived" targetRef="Done" />
                <bpmn:endEvent id="Done" />
              </bpmn:process>
            </bpmn:definitions>
            """;

    /** {@code after-hours} again, now waiting for the call to end; {@code %s} names the wait task. */
    public static final String EXTRA_FLOW_WAITING = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="ExtraDefinitions"
                targetNamespace="https://callflow.io/test">
              <bpmn:process id="after-hours" isExecutable="true" camunda:historyTimeToLive="P1D">
                <bpmn:startEvent id="CallArrived" />
                <bpmn:sequenceFlow id="ToWait" sourceRef="CallArrived" targetRef="WaitForCallEnd" />
                <bpmn:receiveTask id="WaitForCallEnd" name="%s" />
                <bpmn:sequenceFlow id="ToDone" sourceRef="WaitForCallEnd" targetRef="Done" />
                <bpmn:endEvent id="Done" />
              </bpmn:process>
            </bpmn:definitions>
            """;

    /** Line 6 sends a sequence flow to an element that does not exist. */
    public static final String BROKEN_FLOW = """
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="BrokenDefinitions"
                targetNamespace="https://callflow.io/test">
              <bpmn:process id="broken-flow" isExecutable="true">
                <bpmn:startEvent id="CallArrived" />
                <bpmn:sequenceFlow id="ToNowhere" sourceRef="CallArrived" targetRef="Nowhere" />
              </bpmn:process>
            </bpmn:definitions>
            """;

    public static final String RULE = """
            package io.callflow.rules.test
            rule "Test rule from disk"
            when
                String( this == "ping" )
            then
                insert(Integer.valueOf(1));
            end
            """;

    public static final String BROKEN_RULE = """
            package io.callflow.rules.test

            rule "Missing its end"
            when
                String( length > 10
            then
            """;

    /** A three-step flow (callArrived, greet, callEnded) with its diagram (BPMN DI), so that bpmn-js can draw it. */
    public static final String PATH_FLOW = """
            <?xml version="1.0" encoding="UTF-8"?>
            <definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
                xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                xmlns:di="http://www.omg.org/spec/DD/20100524/DI" xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                targetNamespace="test">
              <process id="path-test" isExecutable="true" camunda:historyTimeToLive="1">
                <startEvent id="callArrived" name="Call arrived"/>
                <sequenceFlow id="toGreet" sourceRef="callArrived" targetRef="greet"/>
                <manualTask id="greet" name="Greet"/>
                <sequenceFlow id="toEnd" sourceRef="greet" targetRef="callEnded"/>
                <endEvent id="callEnded" name="Call ended"/>
              </process>
              <bpmndi:BPMNDiagram id="diagram">
                <bpmndi:BPMNPlane id="plane" bpmnElement="path-test">
                  <bpmndi:BPMNShape id="callArrivedShape" bpmnElement="callArrived">
                    <dc:Bounds x="100" y="100" width="36" height="36"/>
                  </bpmndi:BPMNShape>
                  <bpmndi:BPMNShape id="greetShape" bpmnElement="greet">
                    <dc:Bounds x="200" y="78" width="100" height="80"/>
                  </bpmndi:BPMNShape>
                  <bpmndi:BPMNShape id="callEndedShape" bpmnElement="callEnded">
                    <dc:Bounds x="370" y="100" width="36" height="36"/>
                  </bpmndi:BPMNShape>
                  <bpmndi:BPMNEdge id="toGreetEdge" bpmnElement="toGreet">
                    <di:waypoint x="136" y="118"/>
                    <di:waypoint x="200" y="118"/>
                  </bpmndi:BPMNEdge>
                  <bpmndi:BPMNEdge id="toEndEdge" bpmnElement="toEnd">
                    <di:waypoint x="300" y="118"/>
                    <di:waypoint x="370" y="118"/>
                  </bpmndi:BPMNEdge>
                </bpmndi:BPMNPlane>
              </bpmndi:BPMNDiagram>
            </definitions>
            """;

    public static TestContent create() {
        try {
            return new TestContent(Files.createTempDirectory("callflow-test"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public TestContent with(String folderAndFile, String text) {
        try {
            Path file = root.resolve(folderAndFile);
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Properties pointing Callflow's data and content folders at this temporary tree. */
    public Map<String, String> properties() {
        return Map.of(
                "callflow.data-dir", root.resolve("data").toString(),
                "callflow.content.processes-dir", root.resolve("processes").toString(),
                "callflow.content.rules-dir", root.resolve("rules").toString(),
                "callflow.content.prompts-dir", root.resolve("prompts").toString(),
                "callflow.content.ui-dir", root.resolve("ui").toString());
    }

    /**
     * A Callflow that talks SIP and RTP on loopback only: these content folders and its {@code provisioning.yml}, the
     * given SIP port, and an RTP range of the test class's own (classes must not share one).
     */
    public void registerLoopbackCallflow(DynamicPropertyRegistry registry, int sipPort, int rtpMin, int rtpMax) {
        properties().forEach((key, value) -> registry.add(key, () -> value));
        registry.add("callflow.acd.provisioning-file", () -> root.resolve("provisioning.yml").toString());
        registry.add("callflow.sip.port", () -> sipPort);
        registry.add("callflow.sip.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.bind-address", () -> "127.0.0.1");
        registry.add("callflow.media.rtp-port-min", () -> rtpMin);
        registry.add("callflow.media.rtp-port-max", () -> rtpMax);
    }

    public String[] propertyArgs() {
        return properties().entrySet().stream().map(e -> "--" + e.getKey() + "=" + e.getValue()).toArray(String[]::new);
    }
}
