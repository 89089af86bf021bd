package io.callflow.routing;

import java.util.List;

import io.callflow.platform.ContentFile;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Compiles the rule base once at start-up; a rule file that does not compile stops start-up with its file and line. */
@Configuration(proxyBeanMethods = false)
class RoutingConfiguration {

    private static final Logger log = LoggerFactory.getLogger(RoutingConfiguration.class);

    @Bean
    RuleCompiler ruleCompiler() {
        return new RuleCompiler();
    }

    @Bean
    RuleBase ruleBase(RuleCompiler compiler, ContentProperties content, MeterRegistry meters) {
        List<ContentFile> files = content.rules().files(".drl");
        RuleBase ruleBase = new RuleBase(compiler.compile(files), files.stream().map(ContentFile::origin).toList());
        log.info("Routing rules compiled: {} rule(s) from {} file(s) ({})", ruleBase.ruleNames().size(), files.size(),
                content.rules().absoluteDirectory());
        // 1 while the latest edit of rules/ was rejected and older rules stay live: rule authors must fix it.
        Gauge.builder("callflow.rules.rejected", ruleBase, rules -> rules.status().rejectedAt() == null ? 0 : 1)
                .description("1 while the latest edit of the routing rules did not compile (older rules live)")
                .register(meters);
        return ruleBase;
    }
}
