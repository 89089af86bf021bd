package io.callflow.support;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.callflow.CallflowApplication;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** What the benchmarks under bench/ share: starting Callflow on an embedded PostgreSQL, SIPp, histogram quantiles. */
public final class Bench {

    private Bench() {
    }

    /**
     * Callflow (profile {@code postgres}) on the given database with the benchmark's settings, plus any extra
     * settings for an experiment from {@code -Dbench.settings="--a=b --c=d"}.
     */
    public static ConfigurableApplicationContext startOnPostgres(EmbeddedPostgres postgres, List<String> settings) {
        List<String> all = new ArrayList<>(List.of("--spring.datasource.url=" + postgres.getJdbcUrl("postgres",
                "postgres"), "--spring.datasource.username=postgres", "--spring.datasource.password=postgres",
                "--server.port=0", "--logging.level.root=warn", "--logging.level.io.callflow=warn"));
        all.addAll(settings);
        all.addAll(List.of(System.getProperty("bench.settings", "").split(" +")));
        all.removeIf(String::isBlank);
        return new SpringApplicationBuilder(CallflowApplication.class).profiles("postgres")
                .run(all.toArray(String[]::new));
    }

    /**
     * An embedded PostgreSQL with the settings recommended for Callflow's database (docs/configuration.md,
     * "PostgreSQL", and docker-compose.yml), its data in {@code dataDirectory} so {@link #postgresCpu} finds it.
     */
    public static EmbeddedPostgres.Builder postgres(Path dataDirectory) {
        return EmbeddedPostgres.builder().setServerConfig("max_connections", "200")
                .setServerConfig("autovacuum_naptime", "10s").setDataDirectory(dataDirectory)
                .setCleanDataDirectory(true);
    }

    /** Starts {@code sipp -sf <scenario>} from {@code dir} towards 127.0.0.1:sipPort, its output in dir. */
    public static Process sipp(Path dir, String scenario, int localPort, int sipPort, String... extra)
            throws Exception {
        List<String> command = new ArrayList<>(List.of("sipp", "-sf", Path.of(scenario).toAbsolutePath().toString(),
                "-p", Integer.toString(localPort), "-i", "127.0.0.1", "-nostdin"));
        command.addAll(List.of(extra));
        command.add("127.0.0.1:" + sipPort);
        return new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("sipp-" + Path.of(scenario).getFileName() + "-" + localPort + ".log")
                        .toFile()).start();
    }

    /**
     * CPU time (ns) of the PostgreSQL cluster whose data directory is given: its postmaster and every process it
     * started (backends, autovacuum, writers), found by PID, so another program's PostgreSQL on the machine does not
     * count. A backend that has exited is not counted: the benchmarks keep their pooled connections open.
     */
    public static long postgresCpu(Path dataDirectory) {
        try {
            long postmaster = Long.parseLong(Files.readAllLines(dataDirectory.resolve("postmaster.pid"))
                    .get(0).trim());
            long total = 0;
            try (var processes = Files.list(Path.of("/proc"))) {
                for (Path dir : (Iterable<Path>) processes::iterator) {
                    String name = dir.getFileName().toString();
                    if (name.chars().allMatch(Character::isDigit)) {
                        long[] stat = stat(Long.parseLong(name));
                        if (stat != null && (stat[0] == postmaster || stat[1] == postmaster)) {
                            total += stat[2];
                        }
                    }
                }
            }
            return total;
        } catch (IOException e) {
            throw new IllegalStateException("cannot read PostgreSQL's processes: " + e.getMessage(), e);
        }
    }

    /** CPU time (ns) of one process, by PID; 0 once it has exited. */
    public static long processCpu(long pid) {
        long[] stat = stat(pid);
        return stat == null ? 0 : stat[2];
    }

    /** The machine's 1-minute load average, to print beside every figure: a busy machine inflates them. */
    public static double loadAverage() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** {pid, parent pid, user+system CPU ns} from /proc/pid/stat, or null when the process is gone. */
    private static long[] stat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long tick = 10_000_000L; // USER_HZ is 100 on Linux
            return new long[] {pid, Long.parseLong(fields[1]),
                    (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * tick};
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }

    /** The q-quantile in ms of the values a timer recorded between two cumulative histogram snapshots. */
    public static double quantile(CountAtBucket[] before, CountAtBucket[] after, long total, double q) {
        if (total <= 0) {
            return Double.NaN;
        }
        for (int i = 0; i < after.length; i++) {
            double inInterval = after[i].count() - before[i].count();
            if (inInterval >= q * total) {
                return after[i].bucket(TimeUnit.MILLISECONDS);
            }
        }
        return Double.POSITIVE_INFINITY;
    }
}
