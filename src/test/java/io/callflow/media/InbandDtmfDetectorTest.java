package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class InbandDtmfDetectorTest {

    static final double[] ROWS = {697, 770, 852, 941};
    static final double[] COLUMNS = {1209, 1336, 1477, 1633};
    static final String KEYS = "123A456B789C*0#D";

    @Test
    void everyKeyIsDetectedOnce() {
        for (int k = 0; k < 16; k++) {
            short[] tone = Audio.tones(ROWS[k / 4], 6000, COLUMNS[k % 4], 6000, 80);
            assertThat(detect(Audio.concat(silence(60), tone, silence(60)))).as("key %c", KEYS.charAt(k))
                    .isEqualTo(String.valueOf(KEYS.charAt(k)));
        }
    }

    @ParameterizedTest
    @ValueSource(doubles = {16000, 8000, 2000, 700})
    void keysAreDetectedFromLoudToQuiet(double amplitude) {
        assertThat(detect(Audio.concat(key('5', amplitude, amplitude, 100), silence(40)))).isEqualTo("5");
    }

    @Test
    void aKeyHeldForSecondsCountsOnceAndTwoPressesCountTwice() {
        assertThat(detect(Audio.concat(key('9', 5000, 5000, 2000), silence(100)))).isEqualTo("9");
        assertThat(detect(Audio.concat(key('9', 5000, 5000, 70), silence(60), key('9', 5000, 5000, 70), silence(60))))
                .isEqualTo("99");
        assertThat(detect(Audio.concat(key('1', 5000, 5000, 70), silence(60), key('2', 5000, 5000, 70),
                silence(60), key('3', 5000, 5000, 70), silence(60)))).isEqualTo("123");
    }

    @Test
    void aShortGlitchInsideAKeyDoesNotSplitIt() {
        short[] tone = key('7', 5000, 5000, 300);
        for (int i = 1200; i < 1260; i++) {
            tone[i] = 0;
        }
        assertThat(detect(Audio.concat(tone, silence(60)))).isEqualTo("7");
    }

    @Test
    void keysAreFoundInModerateNoise() {
        short[] tone = key('0', 6000, 6000, 100);
        short[] noise = Audio.noise(7, 400, 100);
        for (int i = 0; i < tone.length; i++) {
            tone[i] += noise[i];
        }
        assertThat(detect(Audio.concat(tone, silence(60)))).isEqualTo("0");
    }

    @Test
    void tonesTooShortAreIgnored() {
        assertThat(detect(Audio.concat(key('4', 6000, 6000, 30), silence(100)))).isEmpty();
    }

    @Test
    void tooMuchTwistIsNotAKey() {
        // Row tone 12 dB louder than the column tone (normal twist allowed up to 8 dB), and column 6 dB louder
        // than the row (reverse twist allowed up to 4 dB).
        assertThat(detect(key('6', 8000, 2000, 200))).isEmpty();
        assertThat(detect(key('6', 3000, 6000, 200))).isEmpty();
        assertThat(detect(key('6', 7000, 3500, 200))).as("6 dB normal twist is fine").isEqualTo("6");
    }

    @Test
    void aSingleToneOrADialToneIsNotAKey() {
        assertThat(detect(Audio.tones(770, 8000, 0, 0, 500))).isEmpty();
        assertThat(detect(Audio.tones(350, 6000, 440, 6000, 500))).isEmpty();
    }

    @Test
    void noiseSpeechAndMusicRaiseNoKeys() throws IOException {
        assertThat(detect(Audio.noise(1, 3000, 5000))).isEmpty();
        if (Audio.G711A_PCAP.toFile().exists()) {
            assertThat(detect(Audio.speech())).as("SIPp's speech sample").isEmpty();
        }
        short[] music = PromptLibrary.decode("moh/default.wav",
                java.nio.file.Files.readAllBytes(Path.of("prompts/moh/default.wav")));
        assertThat(detect(music)).as("the shipped music on hold").isEmpty();
    }

    static String detect(short[] audio) {
        InbandDtmfDetector detector = new InbandDtmfDetector();
        StringBuilder keys = new StringBuilder();
        short[] frame = new short[160];
        for (int at = 0; at + 160 <= audio.length; at += 160) {
            System.arraycopy(audio, at, frame, 0, 160);
            char key = detector.accept(frame, 160);
            if (key != 0) {
                keys.append(key);
            }
        }
        return keys.toString();
    }

    static short[] key(char key, double rowAmplitude, double columnAmplitude, int millis) {
        int k = KEYS.indexOf(key);
        return Audio.tones(ROWS[k / 4], rowAmplitude, COLUMNS[k % 4], columnAmplitude, millis);
    }

    static short[] silence(int millis) {
        return new short[millis * 8];
    }

}
