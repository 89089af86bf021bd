package io.callflow.acd;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The built-in feature codes: {@code pause} (with the entry's reason) and {@code resume}. */
@Configuration(proxyBeanMethods = false)
class PauseFeatures {

    @Bean
    AgentFeature pauseFeature(Agents agents) {
        return new AgentFeature() {
            @Override
            public String name() {
                return "pause";
            }

            @Override
            public String run(String agentId, String argument, String reason) {
                if (!agents.pause(agentId, reason)) {
                    throw new Refused("Agent cannot pause now");
                }
                return "paused";
            }
        };
    }

    @Bean
    AgentFeature resumeFeature(Agents agents) {
        return new AgentFeature() {
            @Override
            public String name() {
                return "resume";
            }

            @Override
            public String run(String agentId, String argument, String reason) {
                if (!agents.resume(agentId)) {
                    throw new Refused("Agent is not paused");
                }
                return "available";
            }
        };
    }
}
