package io.callflow.api;

import java.util.ArrayList;
import java.util.List;

import org.camunda.bpm.engine.impl.cfg.AbstractProcessEnginePlugin;
import org.camunda.bpm.engine.impl.cfg.ProcessEngineConfigurationImpl;
import org.camunda.bpm.engine.impl.cmd.DeployCmd;
import org.camunda.bpm.engine.impl.identity.Authentication;
import org.camunda.bpm.engine.impl.interceptor.Command;
import org.camunda.bpm.engine.impl.interceptor.CommandInterceptor;
import org.camunda.bpm.engine.impl.persistence.entity.DeploymentEntity;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Logs every deployment made by a person (through Camunda's REST API or the webapps) with who made it, its name and
 * its resources: a deployment is code that runs on the server. Callflow's own deployer (no user) is not logged here;
 * it reports deployments of {@code processes/} itself.
 */
@Component
class DeploymentLog extends AbstractProcessEnginePlugin {

    private static final Logger log = LoggerFactory.getLogger(DeploymentLog.class);

    @Override
    public void preInit(ProcessEngineConfigurationImpl configuration) {
        List<CommandInterceptor> interceptors = configuration.getCustomPreCommandInterceptorsTxRequired() == null
                ? new ArrayList<>() : new ArrayList<>(configuration.getCustomPreCommandInterceptorsTxRequired());
        interceptors.add(new DeploymentInterceptor(configuration));
        configuration.setCustomPreCommandInterceptorsTxRequired(interceptors);
    }

    /** Sees each top-level command; logs the deployments after they succeed. */
    private static final class DeploymentInterceptor extends CommandInterceptor {

        private final ProcessEngineConfigurationImpl configuration;

        DeploymentInterceptor(ProcessEngineConfigurationImpl configuration) {
            this.configuration = configuration;
        }

        @Override
        public <T> T execute(Command<T> command) {
            T result = next.execute(command);
            if (command instanceof DeployCmd && result instanceof DeploymentEntity deployment) {
                Authentication user = configuration.getIdentityService().getCurrentAuthentication();
                if (user != null) {
                    log.info("User '{}' deployed '{}' (deployment {}) with resources {}", user.getUserId(),
                            deployment.getName(), deployment.getId(),
                            deployment.getResources() == null ? List.of() : deployment.getResources().keySet());
                }
            }
            return result;
        }
    }
}
