package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import io.callflow.call.CallControl.DigitCollection;
import org.junit.jupiter.api.Test;

class DigitCollectorTest {

    static final long MS = 1_000_000L;
    final DigitCollection spec = new DigitCollection(4, '#', Duration.ofSeconds(5), Duration.ofSeconds(3));

    @Test
    void theFirstDigitTimeoutStartsOnlyWhenThePromptsHaveFinished() {
        DigitCollector collector = new DigitCollector(spec);
        assertThat(collector.check(60_000 * MS)).as("a long prompt is still playing").isNull();
        collector.promptsFinished(60_000 * MS);
        assertThat(collector.check(64_999 * MS)).isNull();
        assertThat(collector.check(65_000 * MS)).as("no input").isEmpty();
        assertThat(collector.check(70_000 * MS)).as("one outcome only").isNull();
    }

    @Test
    void eachDigitRestartsTheInterDigitTimeout() {
        DigitCollector collector = new DigitCollector(spec);
        collector.promptsFinished(0);
        assertThat(collector.digit('1', 4_000 * MS)).isNull();
        assertThat(collector.check(6_999 * MS)).isNull();
        assertThat(collector.digit('2', 6_999 * MS)).isNull();
        assertThat(collector.check(9_998 * MS)).isNull();
        assertThat(collector.check(9_999 * MS)).isEqualTo("12");
    }

    @Test
    void maxDigitsEndsAtOnce() {
        DigitCollector collector = new DigitCollector(spec);
        collector.promptsFinished(0);
        assertThat(collector.digit('1', MS)).isNull();
        assertThat(collector.digit('2', 2 * MS)).isNull();
        assertThat(collector.digit('3', 3 * MS)).isNull();
        assertThat(collector.digit('4', 4 * MS)).isEqualTo("1234");
        assertThat(collector.digit('5', 5 * MS)).isNull();
        assertThat(collector.finished()).isTrue();
    }

    @Test
    void theTerminatorEndsEarlyAndIsNotPartOfTheDigits() {
        DigitCollector collector = new DigitCollector(spec);
        collector.digit('4', 0);
        collector.digit('2', MS);
        assertThat(collector.digit('#', 2 * MS)).isEqualTo("42");
    }

    @Test
    void aTerminatorAloneIsNoInput() {
        DigitCollector collector = new DigitCollector(spec);
        assertThat(collector.digit('#', 0)).isEmpty();
    }

    @Test
    void aDigitDuringThePromptStartsTheInterDigitTimeout() {
        DigitCollector collector = new DigitCollector(spec);
        collector.digit('7', 1_000 * MS);
        collector.promptsFinished(1_500 * MS);
        assertThat(collector.check(3_999 * MS)).isNull();
        assertThat(collector.check(4_000 * MS)).isEqualTo("7");
    }
}
