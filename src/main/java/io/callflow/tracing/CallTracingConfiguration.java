package io.callflow.tracing;

import java.time.Clock;

import io.callflow.acd.CallDistributor;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.routing.CallRouter;
import io.micrometer.tracing.Tracer;
import org.aopalliance.intercept.MethodInterceptor;
import org.springframework.aop.framework.ProxyFactory;
import org.springframework.aop.support.AopUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.actuate.autoconfigure.tracing.ConditionalOnEnabledTracing;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Call traces exist only while tracing is on ({@code management.tracing.enabled}, off in Callflow's defaults): then
 * the call events, every flow activity and the routing and ACD ports feed the call's trace. Off, none of these beans
 * exists, so a call pays nothing for tracing.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnEnabledTracing
@EnableConfigurationProperties(TracingProperties.class)
class CallTracingConfiguration {

    @Bean
    CallTraces callTraces(Tracer tracer, Clock clock, TracingProperties properties) {
        return new CallTraces(tracer, clock, properties.maxCallDuration());
    }

    @Bean
    CallEventSpans callEventSpans(CallTraces traces) {
        return new CallEventSpans(traces);
    }

    @Bean
    FlowSpans flowSpans(CallTraces traces) {
        return new FlowSpans(traces);
    }

    /**
     * Wraps the call-control, routing and ACD ports where they are defined, so their users need no change. Not ordered, so it runs
     * after the transaction proxy is in place and wraps that proxy rather than hiding the bean from it.
     */
    @Bean
    static BeanPostProcessor tracedPorts(ObjectProvider<CallTraces> traces, ObjectProvider<CallEventSpans> events) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof CallControl && !AopUtils.isAopProxy(bean)) {
                    // Only the answer matters here: it ends the INVITE's span.
                    ProxyFactory proxy = new ProxyFactory(bean);
                    proxy.addAdvice((MethodInterceptor) invocation -> {
                        Object result = invocation.proceed();
                        if (invocation.getMethod().getName().equals("answer")) {
                            events.getObject().callerAnswered(((CallId) invocation.getArguments()[0]).value());
                        }
                        return result;
                    });
                    return proxy.getProxy();
                }
                if (bean instanceof CallRouter router && !(bean instanceof TracedCallRouter)) {
                    return new TracedCallRouter(router, traces.getObject());
                }
                if (bean instanceof CallDistributor distributor && !(bean instanceof TracedCallDistributor)) {
                    return new TracedCallDistributor(distributor, traces.getObject());
                }
                return bean;
            }
        };
    }
}
