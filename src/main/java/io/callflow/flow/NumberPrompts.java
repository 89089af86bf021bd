package io.callflow.flow;

import java.util.List;

/**
 * Spoken numbers from the shipped number prompts (0-20 and the tens): 42 is "40", "2". Numbers above 99 are said as
 * 99, which is how long queues are announced anyway ("99 or more" is not worth a prompt set of its own).
 */
final class NumberPrompts {

    private NumberPrompts() {
    }

    static List<String> of(long number) {
        long n = Math.max(0, Math.min(99, number));
        if (n <= 20) {
            return List.of(Long.toString(n));
        }
        long tens = n / 10 * 10;
        long ones = n % 10;
        return ones == 0 ? List.of(Long.toString(tens)) : List.of(Long.toString(tens), Long.toString(ones));
    }
}
