package io.callflow.media;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.callflow.call.CallId;
import io.callflow.call.LegId;
import io.callflow.call.MixRole;

/**
 * The mixer's CPU per participant: one mix of N participants, each sending a tone, run frame by frame as the media
 * ticker runs it (read each member's input, mix by role, G.711-encode each member's output as {@code send} does; the
 * event loop's decode of each member's packet into its input is counted too). Frames run back to back, so the figure
 * is CPU time per second of audio, not wall time. Prints one line per size:
 * {@code mixer.cpu participants=N ms_per_audio_second_per_participant=median (min..max)}.
 */
public final class MixerBenchmark {

    private MixerBenchmark() {
    }

    public static void main(String[] args) {
        int[] sizes = Arrays.stream((args.length > 0 ? args[0] : "10,50,100").split(","))
                .mapToInt(Integer::parseInt).toArray();
        int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        int runs = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        // Warm-up: let the JIT compile the mixing and coding paths before anything is measured.
        for (int size : sizes) {
            run(size, 10, threads);
        }
        for (int size : sizes) {
            double[] figures = new double[runs];
            for (int r = 0; r < runs; r++) {
                figures[r] = run(size, seconds, threads);
            }
            Arrays.sort(figures);
            System.out.printf("mixer.cpu participants=%d ms_per_audio_second_per_participant=%.4f (%.4f..%.4f)"
                    + " runs=%d seconds=%d%n", size, figures[runs / 2], figures[0], figures[runs - 1], runs, seconds);
        }
        System.out.printf("mixer.load loadavg=%.2f cpus=%d%n",
                ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                Runtime.getRuntime().availableProcessors());
    }

    /** CPU ms per second of audio per participant for one mix of {@code size}, over {@code seconds} of audio. */
    private static double run(int size, int seconds, ThreadMXBean threads) {
        byte[] encoded = new byte[NettyMediaEngine.FRAME];
        Mixing mixing = new Mixing((leg, samples, now) -> {
            for (int i = 0; i < samples.length; i++) {
                encoded[i] = G711.encode(Sdp.PCMU, samples[i]);
            }
        });
        List<RtpLeg> legs = new ArrayList<>();
        List<byte[]> packets = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            RtpLeg leg = new RtpLeg(new CallId("bench"), new LegId("m" + i), 0, false);
            mixing.join(leg, "bench", MixRole.PARTICIPANT, null);
            legs.add(leg);
            byte[] packet = new byte[NettyMediaEngine.FRAME];
            for (int s = 0; s < packet.length; s++) {
                packet[s] = G711.encode(Sdp.PCMU, (short) (3000 * Math.sin(2 * Math.PI * (300 + 10 * i) * s / 8000.0)));
            }
            packets.add(packet);
        }
        short[] decoded = new short[NettyMediaEngine.FRAME];
        io.netty.buffer.ByteBuf payload = io.netty.buffer.Unpooled.buffer(NettyMediaEngine.FRAME);
        long start = threads.getCurrentThreadCpuTime();
        int frames = seconds * 50;
        for (int f = 0; f < frames; f++) {
            for (int i = 0; i < size; i++) {
                payload.clear().writeBytes(packets.get(i));
                G711.decode(Sdp.PCMU, payload, 0, NettyMediaEngine.FRAME, decoded);
                legs.get(i).mixInput.write(decoded, NettyMediaEngine.FRAME);
            }
            mixing.frame(f * 20_000_000L);
        }
        long cpu = threads.getCurrentThreadCpuTime() - start;
        legs.forEach(mixing::leave);
        return cpu / 1e6 / seconds / size;
    }
}
