package io.callflow.call;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The shared pool that runs call lanes; its size bounds how many calls do database work at the same moment. */
@Configuration(proxyBeanMethods = false)
class CallLaneConfiguration {

    @Bean(destroyMethod = "shutdown")
    ExecutorService callLaneExecutor(@Value("${callflow.call.lane-threads:16}") int threads) {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(threads, threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                r -> {
                    Thread t = new Thread(r, "call-lane-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    @Bean(destroyMethod = "close")
    CallLanes callLanes(ExecutorService callLaneExecutor, MeterRegistry meters,
            ObjectProvider<LaneRetryPolicy> retryPolicy) {
        CallLanes lanes = new CallLanes(callLaneExecutor, meters, retryPolicy.getIfAvailable(LaneRetryPolicy::none));
        meters.gauge("callflow.call.lanes.waiting", lanes, CallLanes::waitingLanes);
        return lanes;
    }
}
