package io.callflow.flow;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioSystem;

import org.camunda.bpm.model.bpmn.Bpmn;
import org.camunda.bpm.model.bpmn.BpmnModelInstance;
import org.camunda.bpm.model.bpmn.instance.camunda.CamundaInputParameter;
import org.junit.jupiter.api.Test;

/**
 * Opening hours are data (business calendars, changed through the API at any time), so what a caller hears on a
 * closed path must not state them: a changed calendar would make the recording lie. Every prompt the shipped flows play together with "closed" is read,
 * in each shipped language, from its source text in prompts/make-prompts.sh (the recordings are generated from it)
 * and may name no hour, time or day; the recording itself is in the shipped format (8 kHz mono A-law).
 */
class ClosedHoursPromptTest {

    /** Clock times, a.m./p.m. and day names: what stating opening hours takes ("press 1" is no time). */
    static final Pattern HOURS = Pattern.compile("(?i)\\d{1,2}[:.]\\d{2}|\\d\\s*[ap]m\\b|\\b[ap]\\.m\\.|o'clock|noon"
            + "|midnight|monday|tuesday|wednesday|thursday|friday|saturday|sunday|weekday|weekend"
            + "|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|\\buhr\\b|wochenende"
            + "|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|\\bmidi\\b|minuit");

    @Test
    void closedPathsSayNothingAboutTheHours() throws IOException {
        Map<String, String> texts = promptTexts();
        List<String> closedPathPrompts = closedPathPrompts();
        assertThat(closedPathPrompts).contains("closed", "goodbye", "callback-offer");
        for (String language : List.of("en", "de", "fr")) {
            for (String prompt : closedPathPrompts) {
                String key = language + "/" + prompt;
                assertThat(texts).as("prompts/make-prompts.sh says " + key).containsKey(key);
                assertThat(HOURS.matcher(texts.get(key)).find()).as("'%s' states opening hours: \"%s\"", key,
                        texts.get(key)).isFalse();
            }
        }
    }

    @Test
    void theClosedRecordingIsInTheShippedFormat() throws Exception {
        for (String language : List.of("en", "de", "fr")) {
            AudioFormat format = AudioSystem.getAudioFileFormat(Path.of("prompts", language, "closed.wav").toFile())
                    .getFormat();
            assertThat(format.getSampleRate()).as(language).isEqualTo(8000f);
            assertThat(format.getChannels()).as(language).isEqualTo(1);
            assertThat(format.getEncoding()).as(language).isEqualTo(AudioFormat.Encoding.ALAW);
        }
    }

    @Test
    void theCheckCatchesTheOldRecording() {
        assertThat(HOURS.matcher("We are closed right now. Our opening hours are Monday to Friday, eight a.m. to eight"
                + " p.m.").find()).isTrue();
        assertThat(HOURS.matcher("Open 08:00-20:00").find()).isTrue();
        assertThat(HOURS.matcher("Open from 8am").find()).isTrue();
        assertThat(HOURS.matcher("I am sorry, to ask for a call back, press 1.").find()).isFalse();
    }

    private static Map<String, String> promptTexts() throws IOException {
        Map<String, String> texts = new LinkedHashMap<>();
        // "say <language> <name> "<text>"", one per line, in each language's function.
        Matcher say = Pattern.compile("(?m)^\\s*say (\\S+) (\\S+) \"([^\"]*)\"").matcher(Files.readString(
                Path.of("prompts/make-prompts.sh")));
        while (say.find()) {
            texts.put(say.group(1) + "/" + say.group(2), say.group(3));
        }
        return texts;
    }

    /** Prompts played in the same list as "closed", in every shipped flow. */
    private static List<String> closedPathPrompts() throws IOException {
        try (Stream<Path> files = Files.list(Path.of("processes"))) {
            return files.filter(file -> file.toString().endsWith(".bpmn")).flatMap(file -> {
                BpmnModelInstance model = Bpmn.readModelFromFile(file.toFile());
                return model.getModelElementsByType(CamundaInputParameter.class).stream()
                        .filter(parameter -> "prompts".equals(parameter.getCamundaName()))
                        .map(parameter -> List.of(parameter.getTextContent().trim().split("\\s*,\\s*")))
                        .filter(prompts -> prompts.contains("closed"));
            }).flatMap(List::stream).distinct().toList();
        }
    }
}
