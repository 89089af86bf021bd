package io.callflow.flow;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Required skills as a process variable an operator can read in Cockpit ({@code german:5,sales:3}) rather than a
 * serialized Java map.
 */
final class SkillList {

    private SkillList() {
    }

    static String format(Map<String, Integer> skills) {
        return skills.entrySet().stream().map(e -> e.getKey() + ":" + e.getValue())
                .collect(Collectors.joining(","));
    }

    static Map<String, Integer> parse(String text) {
        Map<String, Integer> skills = new LinkedHashMap<>();
        if (text == null || text.isBlank()) {
            return skills;
        }
        for (String item : text.split(",")) {
            String[] parts = item.trim().split(":");
            if (parts.length != 2) {
                throw new IllegalArgumentException("required skill '" + item + "' is not skill:level");
            }
            skills.put(parts[0].trim(), Integer.parseInt(parts[1].trim()));
        }
        return skills;
    }
}
