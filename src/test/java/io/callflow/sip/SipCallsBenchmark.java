package io.callflow.sip;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.management.OperatingSystemMXBean;
import io.callflow.CallflowApplication;
import io.callflow.call.AgentLegFailed;
import io.callflow.call.CallArrived;
import io.callflow.call.CallControl;
import io.callflow.call.CallId;
import io.callflow.call.HangupCause;
import io.callflow.call.LegAnswered;
import io.callflow.call.LegHungUp;
import io.callflow.call.LegId;
import io.callflow.support.Bench;
import io.callflow.support.Sipp;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.beans.factory.support.BeanDefinitionRegistry;
import org.springframework.beans.factory.support.BeanDefinitionRegistryPostProcessor;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.event.EventListener;
import org.springframework.context.support.GenericApplicationContext;

/**
 * Call setups per second of the SIP layer alone (bench/sip-calls/run.sh): SIPp callers at rising rates, Callflow as
 * B2BUA, one SIPp agent phone answering at once. The calls are driven through the call seam by {@link Driver}
 * (answer, dial the agent, bridge, hang up the agent when the caller does) instead of BPMN, so the figures are the
 * B2BUA's, media allocation included. Per rate it prints calls placed, connected and failed, the setup latency from
 * the trunk's INVITE to the agent's answer (p50, p99), and the process CPU.
 */
public final class SipCallsBenchmark {

    private static final String AGENT = "1001";

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "100,200,300,400,500").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
        int holdMillis = args.length > 2 ? Integer.parseInt(args[2]) : 500;
        Path root = Files.createTempDirectory("callflow-sip-bench");
        Files.createDirectories(root.resolve("processes"));
        Files.createDirectories(root.resolve("rules"));
        Files.writeString(root.resolve("rules/business-hours.drl"), "package io.callflow.rules\n");
        Files.writeString(root.resolve("provisioning.yml"), """
                agents:
                  - { id: bench-agent, sipUser: "1001", password: bench-1001 }
                dids:
                  - { did: "400", flow: sip-bench }
                """);
        int sipPort = Sipp.freePort();
        List<String> settings = new ArrayList<>(List.of("--server.port=0",
                "--callflow.data-dir=" + root.resolve("data"),
                "--callflow.content.processes-dir=" + root.resolve("processes"),
                "--callflow.content.rules-dir=" + root.resolve("rules"),
                "--callflow.acd.provisioning-file=" + root.resolve("provisioning.yml"),
                "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                "--callflow.media.bind-address=127.0.0.1",
                // Below Linux's ephemeral range (32768-60999), where SIPp's and other programs' sockets would collide.
                "--callflow.media.rtp-port-min=31000",
                "--callflow.media.rtp-port-max=32767", "--logging.level.root=warn",
                "--logging.level.io.callflow=warn"));
        // Extra settings for an experiment, e.g. -Dbench.settings="--callflow.call.lane-threads=4".
        settings.addAll(List.of(System.getProperty("bench.settings", "").split(" +")));
        settings.removeIf(String::isBlank);
        ConfigurableApplicationContext app = new SpringApplicationBuilder(CallflowApplication.class)
                .initializers(context -> {
                    var generic = (GenericApplicationContext) context;
                    generic.registerBean(WithoutFlows.class);
                    generic.registerBean(Driver.class);
                })
                .run(settings.toArray(String[]::new));
        try {
            run(app, root, sipPort, rates, seconds, holdMillis);
        } finally {
            app.close();
        }
        // exec:java waits for every non-daemon thread, and a few libraries leave one behind after close.
        System.exit(0);
    }

    private static void run(ConfigurableApplicationContext app, Path root, int sipPort, String[] rates, int seconds,
            int holdMillis) throws Exception {
        Driver driver = app.getBean(Driver.class);
        SipHealthIndicator sip = app.getBean(SipHealthIndicator.class);
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        int agentPort = Sipp.freePort();
        int registered = Bench.sipp(root, "src/test/sipp/agent-register.xml", agentPort, sipPort, "-m", "1", "-s", AGENT,
                "-au", AGENT, "-ap", "bench-1001").waitFor();
        System.out.printf("sip.agent registered=%s%n", registered == 0);
        Process agent = Bench.sipp(root, "bench/sip-calls/agent.xml", agentPort, sipPort, "-m", "100000000", "-s", AGENT,
                "-mp", Integer.toString(Sipp.freePort()));
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try {
            // JIT warm-up: 1,000 calls at 100/s, not reported.
            Bench.sipp(root, "src/test/sipp/caller-hangup.xml", Sipp.freePort(), sipPort, "-s", "400", "-r", "100", "-m", "1000",
                    "-d", Integer.toString(holdMillis), "-mp", Integer.toString(Sipp.freePort()))
                    .waitFor(60, TimeUnit.SECONDS);
            for (String rateText : rates) {
                int rate = Integer.parseInt(rateText.trim());
                int calls = rate * seconds;
                driver.reset();
                Timer toAgent = meters.find("callflow.call.setup").timer();
                CountAtBucket[] before = toAgent.takeSnapshot().histogramCounts();
                long count0 = toAgent.count();
                long cpu0 = os.getProcessCpuTime();
                long wall0 = System.nanoTime();
                Process caller = null;
                for (int attempt = 0; attempt < 3 && (caller == null || exitedAtOnce(caller)); attempt++) {
                    // SIPp binds four media ports from -mp on; one may be taken, then it stops at once: retry.
                    caller = Bench.sipp(root, "src/test/sipp/caller-hangup.xml", Sipp.freePort(), sipPort, "-s", "400",
                            "-r", Integer.toString(rate), "-m", Integer.toString(calls), "-d",
                            Integer.toString(holdMillis), "-l", "100000", "-timeout", (seconds + 60) + "s",
                            "-mp", Integer.toString(Sipp.freePort()));
                }
                boolean finished = caller.waitFor(seconds + 120L, TimeUnit.SECONDS);
                int exit = finished ? caller.exitValue() : -1;
                if (!finished) {
                    caller.destroyForcibly();
                }
                long settle = System.currentTimeMillis() + 30_000;
                while (System.currentTimeMillis() < settle && sip.state().activeCalls() > 0) {
                    Thread.sleep(100);
                }
                double wall = (System.nanoTime() - wall0) / 1e9;
                double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
                long measured = toAgent.count() - count0;
                CountAtBucket[] after = toAgent.takeSnapshot().histogramCounts();
                long[] setup = driver.setupNanos.stream().mapToLong(Long::longValue).sorted().toArray();
                System.out.printf("sip.rate cps=%d calls=%d sipp_exit=%d connected=%d failed=%d agent_leg_failed=%d"
                        + " setup_p50_ms=%.2f setup_p99_ms=%.2f invite_to_agent_invite_p50_ms=%.2f"
                        + " invite_to_agent_invite_p99_ms=%.2f cpu_cores=%.2f wall_s=%.1f calls_left=%d%n", rate,
                        calls, exit, driver.connected.get(), calls - driver.connected.get(), driver.failed.get(),
                        percentile(setup, 0.50), percentile(setup, 0.99), Bench.quantile(before, after, measured, 0.50),
                        Bench.quantile(before, after, measured, 0.99), cpu / wall, wall, sip.state().activeCalls());
                app.getBean(B2bua.class).describeCalls().forEach(call -> System.out.println("sip.left " + call));
            }
        } finally {
            agent.destroyForcibly();
        }
    }

    /** Drives each call like the smallest flow would: answer, ring the agent, bridge, end with the caller. */
    static final class Driver {
        private final CallControl calls;
        private final Map<CallId, Long> arrived = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Long> setupNanos = new ConcurrentLinkedQueue<>();
        final AtomicLong connected = new AtomicLong();
        final AtomicLong failed = new AtomicLong();

        Driver(CallControl calls) {
            this.calls = calls;
        }

        void reset() {
            setupNanos.clear();
            connected.set(0);
            failed.set(0);
        }

        @EventListener
        void on(CallArrived call) {
            arrived.put(call.callId(), System.nanoTime());
            calls.answer(call.callId());
            calls.dialAgent(call.callId(), LegId.random(), AGENT, Duration.ofSeconds(5));
        }

        @EventListener
        void on(LegAnswered answered) {
            Long start = arrived.remove(answered.callId());
            if (start != null) {
                setupNanos.add(System.nanoTime() - start);
            }
            connected.incrementAndGet();
            calls.bridge(answered.callId(), answered.legId());
        }

        @EventListener
        void on(AgentLegFailed failure) {
            arrived.remove(failure.callId());
            failed.incrementAndGet();
            calls.hangUp(failure.callId());
        }

        @EventListener
        void on(LegHungUp hungUp) {
            if (hungUp.cause() != HangupCause.LOCAL_HANGUP) {
                arrived.remove(hungUp.callId());
                calls.hangUp(hungUp.callId());
            }
        }
    }

    /** Takes the BPMN flows out: the benchmark's {@link Driver} plays the flow, so no process starts per call. */
    static final class WithoutFlows implements BeanDefinitionRegistryPostProcessor {
        @Override
        public void postProcessBeanDefinitionRegistry(BeanDefinitionRegistry registry) {
            registry.removeBeanDefinition("callProcessStarter");
        }

        @Override
        public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
        }
    }

    private static boolean exitedAtOnce(Process sipp) throws InterruptedException {
        return sipp.waitFor(1, TimeUnit.SECONDS) && sipp.exitValue() != 0;
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, q * sorted.length)] / 1e6;
    }
}
