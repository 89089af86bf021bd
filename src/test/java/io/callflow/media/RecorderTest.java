package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecorderTest {

    @TempDir
    Path dir;

    @Test
    void aStereoRecordingIsAValidWavAfterEveryFrameEvenIfNeverClosed() throws Exception {
        Path file = dir.resolve("call.wav");
        Recorder recorder = new Recorder(file, RecordingChannels.STEREO);
        assertThat(Audio.Wav.read(file).samples()[0]).isEmpty();
        short[] caller = Audio.tones(440, 8000, 0, 0, 20);
        for (int i = 0; i < 50; i++) {
            recorder.append(caller, i < 25 ? null : caller, 160);
        }
        // The process dies here: nothing closes the recorder. The file on disk must still be complete and valid.
        Audio.Wav wav = Audio.Wav.read(file);
        assertThat(wav.channels()).isEqualTo(2);
        assertThat(wav.seconds()).isEqualTo(1.0);
        assertThat(Audio.rms(wav.samples()[0])).isGreaterThan(5000);
        assertThat(Audio.rms(java.util.Arrays.copyOf(wav.samples()[1], 4000))).as("agent silent at first").isZero();
        assertThat(Audio.rms(java.util.Arrays.copyOfRange(wav.samples()[1], 4000, 8000))).isGreaterThan(5000);
        recorder.close();
        assertThat(Audio.Wav.read(file).seconds()).isEqualTo(1.0);
    }

    @Test
    void aMonoRecordingMixesBothSidesWithClipping() throws Exception {
        Path file = dir.resolve("mono.wav");
        try (Recorder recorder = new Recorder(file, RecordingChannels.MONO)) {
            short[] a = new short[160];
            short[] b = new short[160];
            java.util.Arrays.fill(a, (short) 1000);
            java.util.Arrays.fill(b, (short) 234);
            recorder.append(a, b, 160);
            java.util.Arrays.fill(a, (short) 30000);
            java.util.Arrays.fill(b, (short) 30000);
            recorder.append(a, b, 160);
            recorder.append(null, null, 160);
        }
        Audio.Wav wav = Audio.Wav.read(file);
        assertThat(wav.channels()).isEqualTo(1);
        assertThat(wav.samples()[0]).hasSize(480);
        assertThat(wav.samples()[0][0]).isEqualTo((short) 1234);
        assertThat(wav.samples()[0][200]).isEqualTo(Short.MAX_VALUE);
        assertThat(wav.samples()[0][400]).isZero();
        assertThat(Files.size(file)).isEqualTo(44 + 960);
    }
}
