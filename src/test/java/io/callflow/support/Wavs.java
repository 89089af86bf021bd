package io.callflow.support;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading Callflow's call recordings (16-bit stereo WAV, 44-byte header) in tests: how loud each channel is. */
public final class Wavs {

    private Wavs() {
    }

    /** The RMS of each channel: [0] the caller's leg (left), [1] its peer (right). */
    public static double[] channelRms(Path wav) throws IOException {
        ByteBuffer data = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
        double[] sum = new double[2];
        int frames = (data.limit() - 44) / 4;
        for (int i = 0; i < frames; i++) {
            for (int ch = 0; ch < 2; ch++) {
                double s = data.getShort(44 + i * 4 + ch * 2);
                sum[ch] += s * s;
            }
        }
        return new double[] {Math.sqrt(sum[0] / frames), Math.sqrt(sum[1] / frames)};
    }
}
