package io.callflow.media;

/**
 * Detects DTMF keys sent as tones in G.711 audio (for trunks that do not send RFC 4733 events), with the Goertzel
 * algorithm on blocks of 205 samples at 8 kHz (the classic size: bins about 39 Hz apart, fine enough for the DTMF
 * grid). Hand-written because no maintained Java library does it and the algorithm is twenty lines. Guards against
 * speech and music, after ITU-T Q.24: a block counts only if it is loud enough, one row and one column tone clearly
 * dominate their groups, the twist between them is within 8 dB (row louder) or 4 dB (column louder), and the two
 * tones carry most of the block's energy; a key needs two consecutive blocks (51 ms; Q.24 requires accepting 40 ms)
 * and ends after two blocks without it, so one bad block neither invents nor splits a key. Not thread-safe: one
 * instance per leg, fed from that leg's event loop.
 */
final class InbandDtmfDetector {

    static final int BLOCK = 205;
    private static final double[] ROWS = {697, 770, 852, 941};
    private static final double[] COLUMNS = {1209, 1336, 1477, 1633};
    private static final char[][] KEYS = {
            {'1', '2', '3', 'A'}, {'4', '5', '6', 'B'}, {'7', '8', '9', 'C'}, {'*', '0', '#', 'D'}};
    private static final double[] ROW_COEFFICIENTS = coefficients(ROWS);
    private static final double[] COLUMN_COEFFICIENTS = coefficients(COLUMNS);
    /** About -48 dBm0 in total (Q.24 asks for detection down to -25 dBm0 per tone); quieter blocks are silence. */
    private static final double MIN_BLOCK_ENERGY = BLOCK * 60.0 * 60.0;
    private static final double NORMAL_TWIST = Math.pow(10, 8 / 10.0);
    private static final double REVERSE_TWIST = Math.pow(10, 4 / 10.0);
    /** The strongest tone of a group must be 6 dB above the next one of the same group. */
    private static final double GROUP_DOMINANCE = Math.pow(10, 6 / 10.0);
    /** The two tones must carry at least this share of the block's energy; speech and music spread theirs. */
    private static final double TONE_SHARE = 0.7;

    private final double[] block = new double[BLOCK];
    private int filled;
    private char candidate;
    private int candidateBlocks;
    private char active;
    private int missingBlocks;

    /** Feeds samples; returns the key that has just been confirmed, or 0. At most one key per call of 20 ms. */
    char accept(short[] samples, int length) {
        char found = 0;
        for (int i = 0; i < length; i++) {
            block[filled++] = samples[i];
            if (filled == BLOCK) {
                filled = 0;
                char key = onBlock(analyse(block));
                if (key != 0) {
                    found = key;
                }
            }
        }
        return found;
    }

    private char onBlock(char key) {
        if (key != 0 && key == active) {
            missingBlocks = 0;
            return 0;
        }
        if (active != 0 && ++missingBlocks < 2) {
            return 0;
        }
        active = 0;
        if (key == 0) {
            candidate = 0;
            candidateBlocks = 0;
            return 0;
        }
        candidateBlocks = key == candidate ? candidateBlocks + 1 : 1;
        candidate = key;
        if (candidateBlocks >= 2) {
            active = key;
            missingBlocks = 0;
            candidate = 0;
            candidateBlocks = 0;
            return key;
        }
        return 0;
    }

    /** The key one block holds, or 0. */
    static char analyse(double[] samples) {
        double energy = 0;
        for (double s : samples) {
            energy += s * s;
        }
        if (energy < MIN_BLOCK_ENERGY) {
            return 0;
        }
        double[] rows = powers(samples, ROW_COEFFICIENTS);
        double[] columns = powers(samples, COLUMN_COEFFICIENTS);
        int row = strongest(rows);
        int column = strongest(columns);
        double rowPower = rows[row];
        double columnPower = columns[column];
        if (!dominates(rows, row) || !dominates(columns, column)) {
            return 0;
        }
        if (rowPower > columnPower * NORMAL_TWIST || columnPower > rowPower * REVERSE_TWIST) {
            return 0;
        }
        // A tone of amplitude A over N samples gives |X|^2 = (A N / 2)^2 and carries N A^2 / 2 of energy.
        double toneEnergy = (rowPower + columnPower) * 2 / samples.length;
        return toneEnergy >= TONE_SHARE * energy ? KEYS[row][column] : 0;
    }

    private static double[] powers(double[] samples, double[] coefficients) {
        double[] powers = new double[coefficients.length];
        for (int k = 0; k < coefficients.length; k++) {
            double coefficient = coefficients[k];
            double s1 = 0;
            double s2 = 0;
            for (double sample : samples) {
                double s0 = sample + coefficient * s1 - s2;
                s2 = s1;
                s1 = s0;
            }
            powers[k] = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
        }
        return powers;
    }

    private static int strongest(double[] powers) {
        int best = 0;
        for (int i = 1; i < powers.length; i++) {
            if (powers[i] > powers[best]) {
                best = i;
            }
        }
        return best;
    }

    private static boolean dominates(double[] powers, int best) {
        for (int i = 0; i < powers.length; i++) {
            if (i != best && powers[best] < powers[i] * GROUP_DOMINANCE) {
                return false;
            }
        }
        return true;
    }

    private static double[] coefficients(double[] frequencies) {
        double[] c = new double[frequencies.length];
        for (int i = 0; i < c.length; i++) {
            c[i] = 2 * Math.cos(2 * Math.PI * frequencies[i] / 8000);
        }
        return c;
    }
}
