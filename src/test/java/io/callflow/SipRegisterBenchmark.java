package io.callflow;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.management.OperatingSystemMXBean;
import io.callflow.support.Bench;
import io.callflow.support.Sipp;
import io.micrometer.core.instrument.MeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Authenticated REGISTERs per second of the SIP layer (bench/sip-register/run.sh): SIPp registers users from an
 * injection file (digest auth, one challenge and one authenticated REGISTER each) at rising rates against Callflow
 * on PostgreSQL with its shipped SIP settings. Per rate: registrations attempted, succeeded, failed, SIPp's
 * retransmissions, the rate achieved and the process CPU; then the highest rate without a failure.
 */
public final class SipRegisterBenchmark {

    private static final Pattern CALLS = Pattern.compile("(Successful|Failed) call\\s*\\|\\s*\\d+\\s*\\|\\s*(\\d+)");

    public static void main(String[] args) throws Exception {
        String[] rates = (args.length > 0 ? args[0] : "250,500,1000,1500,2000").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int users = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        Path root = Files.createTempDirectory("callflow-sip-register-bench");
        StringBuilder yaml = new StringBuilder("agents:\n");
        StringBuilder csv = new StringBuilder("SEQUENTIAL\n");
        for (int i = 0; i < users; i++) {
            String user = Integer.toString(100000 + i);
            yaml.append("  - { id: reg-").append(i).append(", sipUser: \"").append(user).append("\", password: pw")
                    .append(user).append(" }\n");
            csv.append(user).append(";[authentication username=").append(user).append(" password=pw").append(user)
                    .append("]\n");
        }
        Files.writeString(root.resolve("provisioning.yml"), yaml);
        Files.writeString(root.resolve("users.csv"), csv);
        int sipPort = Sipp.freePort();
        try (EmbeddedPostgres postgres = EmbeddedPostgres.builder().setServerConfig("max_connections", "100").start()) {
            ConfigurableApplicationContext app = Bench.startOnPostgres(postgres, List.of(
                    "--callflow.data-dir=" + root.resolve("data"),
                    "--callflow.acd.provisioning-file=" + root.resolve("provisioning.yml"),
                    "--callflow.sip.port=" + sipPort, "--callflow.sip.bind-address=127.0.0.1",
                    "--callflow.media.bind-address=127.0.0.1", "--callflow.media.rtp-port-min=30000",
                    "--callflow.media.rtp-port-max=30999"));
            try {
                run(app, root, sipPort, rates, seconds, users);
            } finally {
                app.close();
            }
        }
        // exec:java would otherwise wait for threads a library leaves behind.
        System.exit(0);
    }

    private static void run(ConfigurableApplicationContext app, Path root, int sipPort, String[] rates, int seconds,
            int users) throws Exception {
        MeterRegistry meters = app.getBean(MeterRegistry.class);
        OperatingSystemMXBean os = (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        // Warm-up: every user registers once (first registrations also log the agents in), and the JIT warms.
        long[] warm = sipp(root, sipPort, 200, users);
        System.out.printf("sip-register.warmup users=%d succeeded=%d failed=%d%n", users, warm[0], warm[1]);
        int best = 0;
        for (String rateText : rates) {
            int rate = Integer.parseInt(rateText.trim());
            int calls = rate * seconds;
            long cpu0 = os.getProcessCpuTime();
            long wall0 = System.nanoTime();
            long[] result = sipp(root, sipPort, rate, calls);
            double wall = (System.nanoTime() - wall0) / 1e9;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e9;
            long failed = calls - result[0];
            if (failed == 0 && result[0] / wall >= rate * 0.9) {
                best = Math.max(best, rate);
            }
            System.out.printf("sip-register.rate target_per_s=%d registrations=%d succeeded=%d failed=%d"
                    + " retransmissions=%d achieved_per_s=%.0f callflow_cpu_cores=%.2f wall_s=%.1f%n", rate, calls,
                    result[0], failed, result[2], result[0] / wall, cpu / wall, wall);
        }
        System.out.printf("sip-register.best highest_rate_without_failures_per_s=%d flood_bans=%.0f%n", best,
                meters.counter("callflow.sip.flood.bans").count());
    }

    /** Runs SIPp for {@code calls} registrations at {@code rate}/s; returns successful, failed, retransmissions. */
    private static long[] sipp(Path root, int sipPort, int rate, int calls) throws Exception {
        Path out = root.resolve("sipp-" + rate + "-" + System.nanoTime() + ".log");
        List<String> command = List.of("sipp", "-sf", Path.of("bench/sip-register/register.xml").toAbsolutePath()
                .toString(), "-inf", root.resolve("users.csv").toString(), "-p", Integer.toString(Sipp.freePort()), "-i",
                "127.0.0.1", "-nostdin", "-r", Integer.toString(rate), "-m", Integer.toString(calls), "-l", "100000",
                "-timeout", "180s", "-recv_timeout", "10s", "127.0.0.1:" + sipPort);
        Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile()).start();
        if (!process.waitFor(200, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        String text = Files.readString(out);
        long successful = 0;
        long failed = 0;
        Matcher counts = CALLS.matcher(text);
        while (counts.find()) {
            if (counts.group(1).equals("Successful")) {
                successful = Long.parseLong(counts.group(2));
            } else {
                failed = Long.parseLong(counts.group(2));
            }
        }
        long retransmissions = 0;
        Matcher retrans = Pattern.compile("REGISTER\\s+---------->\\s+\\d+\\s+(\\d+)").matcher(text);
        while (retrans.find()) {
            retransmissions += Long.parseLong(retrans.group(1));
        }
        return new long[] {successful, failed, retransmissions};
    }
}
