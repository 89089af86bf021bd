package io.callflow.media;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Test audio: tones, noise, RTP payloads out of SIPp's pcaps, WAV files and their loudness. */
final class Audio {

    static final Path G711A_PCAP = Path.of("/usr/share/sip-tester/g711a.pcap");

    private Audio() {
    }

    /** Two tones (e.g. a DTMF key) at the given amplitudes, {@code millis} long, 8 kHz. */
    static short[] tones(double f1, double a1, double f2, double a2, int millis) {
        short[] s = new short[millis * 8];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(a1 * Math.sin(2 * Math.PI * f1 * i / 8000) + a2 * Math.sin(2 * Math.PI * f2 * i / 8000));
        }
        return s;
    }

    static short[] noise(long seed, double amplitude, int millis) {
        Random random = new Random(seed);
        short[] s = new short[millis * 8];
        for (int i = 0; i < s.length; i++) {
            s[i] = (short) Math.round(random.nextGaussian() * amplitude);
        }
        return s;
    }

    static short[] concat(short[]... parts) {
        int length = 0;
        for (short[] p : parts) {
            length += p.length;
        }
        short[] all = new short[length];
        int at = 0;
        for (short[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    /** The RTP payloads of an Ethernet/IPv4/UDP pcap, in order. */
    static List<byte[]> rtpPayloads(Path pcap) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(pcap)).order(ByteOrder.LITTLE_ENDIAN);
        List<byte[]> payloads = new ArrayList<>();
        int pos = 24;
        while (pos + 16 <= in.limit()) {
            int length = in.getInt(pos + 8);
            int ip = pos + 16 + 14;
            int udp = ip + 4 * (in.get(ip) & 0x0f);
            int rtp = udp + 8;
            int end = pos + 16 + length;
            int csrcs = in.get(rtp) & 0x0f;
            byte[] payload = new byte[end - rtp - 12 - 4 * csrcs];
            in.get(rtp + 12 + 4 * csrcs, payload);
            payloads.add(payload);
            pos = end;
        }
        return payloads;
    }

    /** The speech in SIPp's g711a.pcap as linear samples. */
    static short[] speech() throws IOException {
        List<short[]> frames = new ArrayList<>();
        for (byte[] payload : rtpPayloads(G711A_PCAP)) {
            short[] frame = new short[payload.length];
            for (int i = 0; i < payload.length; i++) {
                frame[i] = G711.decode(Sdp.PCMA, payload[i]);
            }
            frames.add(frame);
        }
        return concat(frames.toArray(short[][]::new));
    }

    /** An 8 kHz mono 16-bit WAV file. */
    static byte[] wav(short[] samples) {
        ByteBuffer b = ByteBuffer.allocate(44 + 2 * samples.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0x46464952).putInt(36 + 2 * samples.length).putInt(0x45564157);
        b.putInt(0x20746d66).putInt(16).putShort((short) 1).putShort((short) 1).putInt(8000).putInt(16000)
                .putShort((short) 2).putShort((short) 16);
        b.putInt(0x61746164).putInt(2 * samples.length);
        for (short s : samples) {
            b.putShort(s);
        }
        return b.array();
    }

    /** A parsed WAV file: channels and samples per channel, checking the RIFF structure on the way. */
    record Wav(int channels, int rate, short[][] samples) {

        static Wav read(Path file) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
            if (b.getInt(0) != 0x46464952 || b.getInt(8) != 0x45564157 || b.getInt(12) != 0x20746d66
                    || b.getInt(36) != 0x61746164) {
                throw new IOException(file + " is not a canonical WAV file");
            }
            if (b.getInt(4) != b.limit() - 8) {
                throw new IOException(file + ": RIFF size " + b.getInt(4) + " but the file has " + (b.limit() - 8));
            }
            int channels = b.getShort(22);
            int dataBytes = b.getInt(40);
            if (dataBytes != b.limit() - 44 || dataBytes % (2 * channels) != 0) {
                throw new IOException(file + ": data size " + dataBytes + " does not match the file");
            }
            int frames = dataBytes / (2 * channels);
            short[][] samples = new short[channels][frames];
            for (int i = 0; i < frames; i++) {
                for (int c = 0; c < channels; c++) {
                    samples[c][i] = b.getShort(44 + (i * channels + c) * 2);
                }
            }
            return new Wav(channels, b.getInt(24), samples);
        }

        double seconds() {
            return samples[0].length / (double) rate;
        }
    }

    static double rms(short[] samples) {
        double sum = 0;
        for (short s : samples) {
            sum += (double) s * s;
        }
        return samples.length == 0 ? 0 : Math.sqrt(sum / samples.length);
    }
}
