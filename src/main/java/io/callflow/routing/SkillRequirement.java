package io.callflow.routing;

/** The call needs an agent with {@code skill} at {@code minLevel} (1-10) or better. */
public record SkillRequirement(String skill, int minLevel) {
}
