package io.callflow.media;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.callflow.call.CallEventPublisher;
import io.callflow.call.CallId;
import io.callflow.call.CallLanes;
import io.callflow.call.LegId;
import io.callflow.platform.ContentProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.channel.epoll.Epoll;

/**
 * Relay benchmark: bridged calls through the media engine on loopback, each with a caller and an agent "phone"
 * sending 50 packets/s of 20 ms PCMU to their leg, which the engine relays to the other phone. The phones run in a
 * second JVM ({@link RelayLoadGenerator}, started by this one, optionally pinned to other cores), so that only the
 * engine runs here. Steps up the number of concurrent calls and prints, per step, loss, transit time through the
 * relay, added jitter (the RFC 3550 section 6.4.1 transit difference of consecutive packets of one stream), the
 * engine's CPU per 10,000 packets/s and memory per call, and how the generator kept up. Not a test: run it with
 * {@code bench/media/run.sh}.
 * <p>
 * Arguments: {@code calls,calls,...} (default 100,250,500,1000), seconds measured per step (default 10), engine event
 * loop threads (default 0 = one per core), {@code nio} to use the NIO transport instead of epoll. System properties:
 * {@code bench.generator.cpus} (a {@code taskset} CPU list for the generator JVM, empty: not pinned) and
 * {@code bench.generator.sockets} (how many sockets the phones share, default 1).
 */
public final class MediaRelayBenchmark {

    private final List<MediaLeg> legs = new ArrayList<>();
    private final NettyMediaEngine engine;
    private final Process generator;
    private final PrintWriter commands;
    private final BufferedReader replies;
    private final int[] phonePorts;
    private int calls;

    private MediaRelayBenchmark(int threads, boolean epoll) throws Exception {
        Path root = Files.createTempDirectory("media-bench");
        MediaProperties properties = new MediaProperties("127.0.0.1", "127.0.0.1", 34000, 39999,
                Duration.ofSeconds(30), InbandDtmf.OFF, RecordingChannels.STEREO, root.resolve("recordings"), threads,
                epoll);
        ContentProperties content = new ContentProperties(root, root, root, root, false, Duration.ofMillis(500));
        engine = new NettyMediaEngine(properties, new PromptLibrary(content),
                new CallEventPublisher(new CallLanes(Runnable::run), event -> { }), new SimpleMeterRegistry(), root);
        List<String> command = new ArrayList<>();
        String cpus = System.getProperty("bench.generator.cpus", "");
        if (!cpus.isBlank()) {
            command.addAll(List.of("taskset", "-c", cpus));
        }
        command.addAll(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xms256m", "-Xmx256m",
                "-XX:+PerfDisableSharedMem",
                "-cp", System.getProperty("java.class.path"), RelayLoadGenerator.class.getName(),
                System.getProperty("bench.generator.sockets", "1")));
        generator = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        commands = new PrintWriter(generator.getOutputStream(), true, StandardCharsets.US_ASCII);
        replies = new BufferedReader(new InputStreamReader(generator.getInputStream(), StandardCharsets.US_ASCII));
        String[] sockets = replies.readLine().split(" ");
        phonePorts = new int[sockets.length - 1];
        for (int i = 1; i < sockets.length; i++) {
            phonePorts[i - 1] = Integer.parseInt(sockets[i]);
        }
    }

    public static void main(String[] args) throws Exception {
        String[] steps = (args.length > 0 ? args[0] : "100,250,500,1000").split(",");
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int threads = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        boolean epoll = !(args.length > 3 && args[3].equals("nio")) && Epoll.isAvailable();
        MediaRelayBenchmark bench = new MediaRelayBenchmark(threads, epoll);
        String pinned = System.getProperty("bench.generator.cpus", "");
        System.out.printf("media.setup transport=%s engine-threads=%s engine-cores=%d generator-cpus=%s"
                + " generator-sockets=%d%n", epoll ? "epoll" : "nio", threads == 0 ? "auto" : threads,
                Runtime.getRuntime().availableProcessors(), pinned.isBlank() ? "any" : pinned,
                bench.phonePorts.length);
        System.out.println("media.columns calls pps-relayed loss transit-p50-ms transit-p99-ms jitter-p50-ms"
                + " jitter-p99-ms jitter-max-ms engine-cpu-%-per-10k-pps heap-kib-per-call | exact-jitter-p50-ms"
                + " exact-jitter-p99-ms exact-jitter-max-ms left-out-% | generator: send-late-p99-ms"
                + " send-late-max-ms read-gap-p99-ms read-gap-max-ms cpu-%");
        try {
            for (String step : steps) {
                bench.run(Integer.parseInt(step.trim()), seconds);
            }
        } finally {
            bench.close();
        }
    }

    private void run(int target, int seconds) throws Exception {
        long heapBefore = heapAfterGc();
        int added = target - calls;
        while (calls < target) {
            addCall();
        }
        long heapPerCall = added > 0 ? Math.max(0, heapAfterGc() - heapBefore) / added : 0;
        command("start");
        Thread.sleep(2000); // warm-up: JIT, latching, buffers
        long cpuBefore = engineCpuNanos();
        long start = System.nanoTime();
        command("measure");
        Thread.sleep(seconds * 1000L);
        long cpu = engineCpuNanos() - cpuBefore;
        long elapsed = System.nanoTime() - start;
        commands.println("stop");
        String[] r = replies.readLine().split(" ");
        expect("ok stop");
        long sent = Long.parseLong(r[2]);
        long received = Long.parseLong(r[3]);
        double pps = received * 1e9 / Long.parseLong(r[1]);
        double loss = sent == 0 ? 0 : 1 - (double) received / sent;
        double cpuPer10k = cpu * 100.0 / elapsed / (pps / 10_000);
        System.out.printf("media.step %d %.0f %.4f%% %.3f %.3f %.3f %.3f %.3f %.1f %d | %.3f %.3f %.3f %.2f%%"
                + " | %.3f %.3f %.3f %.3f %.0f%%%n", target, pps, loss * 100, ms(r[4]), ms(r[5]), ms(r[6]),
                ms(r[7]), ms(r[8]), cpuPer10k, heapPerCall / 1024, ms(r[14]), ms(r[15]), ms(r[16]),
                received == 0 ? 0 : Long.parseLong(r[17]) * 100.0 / received, ms(r[9]), ms(r[10]), ms(r[11]),
                ms(r[12]), Long.parseLong(r[13]) * 100.0 / elapsed);
        if (ms(r[9]) > 1 || ms(r[11]) > 1) {
            System.out.println("media.warning the generator fell behind (send lateness or read gap p99 > 1 ms):"
                    + " the jitter figures include its own");
        }
    }

    /** Opens, answers and bridges the two legs of one call, pointing them at its phones' sockets. */
    private void addCall() throws Exception {
        CallId id = new CallId("bench-" + calls);
        int caller = phonePorts[(2 * calls) % phonePorts.length];
        int agent = phonePorts[(2 * calls + 1) % phonePorts.length];
        MediaLeg callerLeg = engine.answer(id, new LegId(id.value() + "-caller"), sdp(caller));
        MediaLeg agentLeg = engine.offer(id, new LegId(id.value() + "-agent"));
        engine.answered(agentLeg, sdp(agent));
        engine.bridge(id, agentLeg.legId());
        legs.add(callerLeg);
        legs.add(agentLeg);
        commands.println("call " + Sdp.parse(callerLeg.localSdp()).port() + " " + Sdp.parse(agentLeg.localSdp()).port());
        expect("ok call");
        calls++;
    }

    private void command(String command) throws Exception {
        commands.println(command);
        expect("ok " + command);
    }

    private void expect(String reply) throws Exception {
        String line = replies.readLine();
        if (!reply.equals(line)) {
            throw new IllegalStateException("the generator said " + line + " instead of " + reply);
        }
    }

    private void close() throws Exception {
        commands.println("quit");
        generator.waitFor();
        legs.forEach(engine::release);
        System.out.printf("media.teardown legs-open=%d%n", engine.openLegs());
        engine.close();
    }

    private static double ms(String nanos) {
        return Long.parseLong(nanos) / 1e6;
    }

    private static long heapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100);
        }
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }

    private static long engineCpuNanos() {
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long total = 0;
        for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && (info.getThreadName().startsWith("media-"))) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }

    private static String sdp(int port) {
        return "v=0\r\no=bench 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio " + port
                + " RTP/AVP 0\r\n";
    }
}
