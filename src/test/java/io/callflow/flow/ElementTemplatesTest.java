package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.instance.ServiceTask;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputOutput;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.junit.jupiter.api.Test;

/**
 * The shipped flows agree with the element templates an analyst edits them with: every templated task names a
 * template that exists, runs that template's bean, and has each input the template requires.
 */
class ElementTemplatesTest {

    private static final String CAMUNDA = "http://camunda.org/schema/1.0/bpmn";

    @Test
    void shippedFlowsMatchTheirTemplates() throws IOException {
        Map<String, JsonNode> templates = new HashMap<>();
        for (JsonNode template : new ObjectMapper().readTree(
                Path.of("processes/.camunda/element-templates/callflow-tasks.json").toFile())) {
            templates.put(template.get("id").asText(), template);
        }
        List<String> problems = new ArrayList<>();
        List<Path> flows;
        try (Stream<Path> shipped = Stream.concat(Files.list(Path.of("processes")),
                Files.list(Path.of("bench/flow")))) {
            flows = shipped.filter(p -> p.toString().endsWith(".bpmn")).toList();
        }
        assertThat(flows).hasSizeGreaterThanOrEqualTo(3);
        for (Path flow : flows) {
            for (ServiceTask task : Bpmn.readModelFromFile(flow.toFile()).getModelElementsByType(ServiceTask.class)) {
                String templateId = task.getAttributeValueNs(CAMUNDA, "modelerTemplate");
                if (templateId == null) {
                    problems.add(flow + " " + task.getId() + ": no Callflow template");
                    continue;
                }
                JsonNode template = templates.get(templateId);
                if (template == null) {
                    problems.add(flow + " " + task.getId() + ": unknown template " + templateId);
                    continue;
                }
                List<String> inputs = inputs(task);
                for (JsonNode property : template.get("properties")) {
                    JsonNode binding = property.get("binding");
                    String type = binding.get("type").asText();
                    if (type.equals("property") && binding.get("name").asText().equals("camunda:delegateExpression")
                            && !property.get("value").asText().equals(task.getCamundaDelegateExpression())) {
                        problems.add(flow + " " + task.getId() + ": runs " + task.getCamundaDelegateExpression()
                                + ", template " + templateId + " says " + property.get("value").asText());
                    }
                    boolean required = property.path("constraints").path("notEmpty").asBoolean(false);
                    if (type.equals("camunda:inputParameter") && required
                            && !inputs.contains(binding.get("name").asText())) {
                        problems.add(flow + " " + task.getId() + ": lacks required input "
                                + binding.get("name").asText());
                    }
                }
            }
        }
        assertThat(problems).isEmpty();
    }

    private static List<String> inputs(ServiceTask task) {
        if (task.getExtensionElements() == null) {
            return List.of();
        }
        return task.getExtensionElements().getElementsQuery().filterByType(CamundaInputOutput.class).list().stream()
                .flatMap(io -> io.getCamundaInputParameters().stream()).map(CamundaInputParameter::getCamundaName)
                .toList();
    }
}
