package io.callflow.acd;

import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/** Required skills stored in one column as {@code skill:level,skill:level}. */
final class Skills {

    private Skills() {
    }

    static String format(Map<String, Integer> skills) {
        return new TreeMap<>(skills).entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    static Map<String, Integer> parse(String text) {
        Map<String, Integer> skills = new TreeMap<>();
        if (text != null && !text.isBlank()) {
            for (String item : text.split(",")) {
                String[] parts = item.split(":");
                skills.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
            }
        }
        return skills;
    }
}
