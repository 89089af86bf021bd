package io.callflow.flow;

import java.util.ArrayList;
import java.util.List;

/**
 * Spoken numbers from the shipped number prompts. English ships 0-20 and the tens, so 42 is "40", "2"; German and
 * French read numbers in ways that do not compose that way (einundzwanzig is the units before the tens,
 * soixante-dix-sept is 60 + 17), so they and any other language ship each number 0-99 whole. Numbers above 99 are
 * said as 99, which is how long queues are announced anyway ("99 or more" is not worth a prompt set of its own).
 */
final class NumberPrompts {

    private NumberPrompts() {
    }

    /** In English. */
    static List<String> of(long number) {
        return of(number, "en");
    }

    static List<String> of(long number, String language) {
        long n = Math.max(0, Math.min(99, number));
        if (n <= 20 || !"en".equals(language)) {
            return List.of(Long.toString(n));
        }
        long tens = n / 10 * 10;
        long ones = n % 10;
        return ones == 0 ? List.of(Long.toString(tens)) : List.of(Long.toString(tens), Long.toString(ones));
    }

    /** A number of minutes: "one minute" has a prompt of its own, since German says "eine Minute", not "eins". */
    static List<String> minutes(long minutes, String language) {
        if (minutes == 1) {
            return List.of("one-minute");
        }
        List<String> prompts = new ArrayList<>(of(minutes, language));
        prompts.add("minutes");
        return prompts;
    }
}
