package io.callflow.api;

import java.util.List;

import org.camunda.bpm.engine.identity.PasswordPolicy;
import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.identity.PasswordPolicyLengthRuleImpl;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * The password rule for every user Camunda stores (created or changed through Admin, engine-rest or the shipped
 * administrator): at least {@code callflow.security.min-password-length} characters (default 8). Length only, no
 * composition rules, as NIST SP 800-63B section 5.1.1.2 advises: composition rules make passwords harder to remember,
 * not harder to guess; guessing is slowed by the login guard and Camunda's lock instead.
 */
@Component
class PasswordRules extends AbstractProcessEnginePlugin {

    private final int minLength;

    PasswordRules(@Value("${callflow.security.min-password-length:8}") int minLength) {
        if (minLength < 1) {
            throw new IllegalArgumentException("callflow.security.min-password-length must be at least 1");
        }
        this.minLength = minLength;
    }

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        PasswordPolicy policy = () -> List.of(new PasswordPolicyLengthRuleImpl(minLength));
        configuration.setEnablePasswordPolicy(true);
        configuration.setPasswordPolicy(policy);
    }
}
