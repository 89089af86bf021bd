package io.callflow.support;

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
