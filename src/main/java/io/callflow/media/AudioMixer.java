package io.callflow.media;

import java.util.Arrays;

/**
 * N-party mixing of 16-bit frames: each member hears the sum of every member heard by all but itself ("N-1" mixing),
 * plus whatever is whispered to it, clipped to 16 bits. Summing in an int and subtracting the member's own input gives
 * every output in two passes instead of N^2; whispers add one pass per whisperer. Stateless.
 */
final class AudioMixer {

    /** {@code heardBy} value of a member every other member hears. */
    static final int ALL = -1;
    /** {@code heardBy} value of a member nobody hears (muted, listener). */
    static final int NOBODY = -2;

    private AudioMixer() {
    }

    /**
     * Mixes one frame: {@code inputs[i]} is what member i sent (null = silence), {@code talks[i]} whether the others
     * hear it; {@code outputs[i]} receives what member i hears. All frames have {@code length} samples.
     */
    static void mix(short[][] inputs, boolean[] talks, short[][] outputs, int length) {
        int[] heardBy = new int[inputs.length];
        for (int m = 0; m < inputs.length; m++) {
            heardBy[m] = talks[m] ? ALL : NOBODY;
        }
        mix(inputs, heardBy, outputs, length);
    }

    /**
     * Mixes one frame with a hearing matrix in compact form: {@code heardBy[i]} is {@link #ALL}, {@link #NOBODY} or
     * the index of the one member that hears member i (a whisper). {@code outputs[i]} receives what member i hears.
     */
    static void mix(short[][] inputs, int[] heardBy, short[][] outputs, int length) {
        int[] sum = new int[length];
        for (int m = 0; m < inputs.length; m++) {
            if (heardBy[m] == ALL && inputs[m] != null) {
                short[] in = inputs[m];
                for (int i = 0; i < length; i++) {
                    sum[i] += in[i];
                }
            }
        }
        boolean anyWhisper = false;
        for (int m = 0; m < inputs.length; m++) {
            anyWhisper |= heardBy[m] >= 0;
        }
        int[] whispered = null;
        for (int m = 0; m < inputs.length; m++) {
            short[] own = heardBy[m] == ALL ? inputs[m] : null;
            short[] out = outputs[m];
            boolean hasWhisper = false;
            for (int w = 0; anyWhisper && w < inputs.length; w++) {
                if (heardBy[w] == m && w != m && inputs[w] != null) {
                    if (!hasWhisper) {
                        whispered = whispered == null ? new int[length] : whispered;
                        Arrays.fill(whispered, 0);
                        hasWhisper = true;
                    }
                    short[] in = inputs[w];
                    for (int i = 0; i < length; i++) {
                        whispered[i] += in[i];
                    }
                }
            }
            for (int i = 0; i < length; i++) {
                int heard = own == null ? sum[i] : sum[i] - own[i];
                out[i] = clip(hasWhisper ? heard + whispered[i] : heard);
            }
        }
    }

    static short clip(int sample) {
        return (short) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, sample));
    }
}
