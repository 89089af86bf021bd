package io.callflow.media;

/**
 * N-party mixing of 16-bit frames: each member hears the sum of every talking member but itself ("N-1" mixing),
 * clipped to 16 bits. Summing in an int and subtracting the member's own input gives every output in two passes
 * instead of N^2. Stateless.
 */
final class AudioMixer {

    private AudioMixer() {
    }

    /**
     * Mixes one frame: {@code inputs[i]} is what member i sent (null = silence), {@code talks[i]} whether the others
     * hear it; {@code outputs[i]} receives what member i hears. All frames have {@code length} samples.
     */
    static void mix(short[][] inputs, boolean[] talks, short[][] outputs, int length) {
        int[] sum = new int[length];
        for (int m = 0; m < inputs.length; m++) {
            if (talks[m] && inputs[m] != null) {
                short[] in = inputs[m];
                for (int i = 0; i < length; i++) {
                    sum[i] += in[i];
                }
            }
        }
        for (int m = 0; m < inputs.length; m++) {
            short[] own = talks[m] ? inputs[m] : null;
            short[] out = outputs[m];
            for (int i = 0; i < length; i++) {
                out[i] = clip(own == null ? sum[i] : sum[i] - own[i]);
            }
        }
    }

    static short clip(int sample) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sample));
    }
}
