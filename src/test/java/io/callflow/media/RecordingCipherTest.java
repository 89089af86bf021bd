package io.callflow.media;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Random;

import javax.crypto.SecretKey;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecordingCipherTest {

    private static final String KEY = Base64.getEncoder().encodeToString(bytes(32, 1));
    private static final String OTHER_KEY = Base64.getEncoder().encodeToString(bytes(32, 2));
    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    @Test
    void roundTripsAnyLengthIncludingEmptyAndExactChunks() throws IOException {
        for (int length : new int[] {0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK, 5 * CHUNK + 17}) {
            byte[] plain = bytes(length, length);
            byte[] sealed = seal(plain, KEY);
            assertThat(open(sealed, KEY)).as("length %d", length).isEqualTo(plain);
            if (length >= 16) {
                // 16 plain bytes in a row would be a leak; a shorter run turns up in random ciphertext by chance
                // (one byte did, in about one run in ten).
                assertThat(indexOf(sealed, Arrays.copyOf(plain, 16))).as("length %d", length).isLessThan(0);
            }
        }
    }

    @Test
    void theWrongKeyFailsAndTheKeyIdIsInTheHeader() throws IOException {
        byte[] sealed = seal(bytes(3000, 7), KEY);
        assertThat(new String(sealed, 7, 3)).isEqualTo("k-1");
        assertThatThrownBy(() -> open(sealed, OTHER_KEY)).isInstanceOf(IOException.class)
                .hasMessageContaining("fails authentication");
        assertThatThrownBy(() -> new RecordingCipher.Reader(new ByteArrayInputStream(sealed),
                Map.of("k-2", key(KEY)))).isInstanceOf(IOException.class).hasMessageContaining("k-1");
    }

    @Test
    void aTruncatedTamperedReorderedOrExtendedFileFails() throws IOException {
        byte[] plain = bytes(4 * CHUNK + 100, 3);
        byte[] sealed = seal(plain, KEY);
        int header = RecordingCipher.header("k-1", CHUNK).length;
        int chunk = RecordingCipher.CHUNK_HEADER + CHUNK + RecordingCipher.TAG;

        // Cut at a chunk boundary: every chunk left is authentic, but none is marked final.
        byte[] cut = Arrays.copyOf(sealed, header + 2 * chunk);
        assertThatThrownBy(() -> open(cut, KEY)).hasMessageContaining("truncated");
        byte[] cutMidChunk = Arrays.copyOf(sealed, header + chunk + 100);
        assertThatThrownBy(() -> open(cutMidChunk, KEY)).hasMessageContaining("truncated");

        byte[] flipped = sealed.clone();
        flipped[header + chunk + RecordingCipher.CHUNK_HEADER + 10] ^= 1;
        assertThatThrownBy(() -> open(flipped, KEY)).hasMessageContaining("chunk 1 fails authentication");

        byte[] swapped = sealed.clone();
        System.arraycopy(sealed, header, swapped, header + chunk, chunk);
        System.arraycopy(sealed, header + chunk, swapped, header, chunk);
        assertThatThrownBy(() -> open(swapped, KEY)).hasMessageContaining("chunk 0 fails authentication");

        // The last full chunk presented as final: its flag is authenticated, so this fails too.
        byte[] falselyFinal = Arrays.copyOf(sealed, header + 2 * chunk);
        falselyFinal[header + chunk] = 1;
        assertThatThrownBy(() -> open(falselyFinal, KEY)).hasMessageContaining("chunk 1 fails authentication");

        byte[] extended = Arrays.copyOf(sealed, sealed.length + 1);
        assertThatThrownBy(() -> open(extended, KEY)).hasMessageContaining("after the final chunk");

        byte[] otherChunkSize = sealed.clone();
        otherChunkSize[header - 1] = 1;
        assertThatThrownBy(() -> open(otherChunkSize, KEY)).isInstanceOf(IOException.class);
    }

    @Test
    void aLargeRecordingStreamsBothWaysInBoundedMemory() throws Exception {
        Path file = dir.resolve("large.cfrec");
        long total = 64L * 1024 * 1024 + 123;
        SecretKey key = key(KEY);
        MessageDigest written = MessageDigest.getInstance("SHA-256");
        Random random = new Random(5);
        byte[] block = new byte[8192];
        Runtime runtime = Runtime.getRuntime();
        long before = retained(runtime);
        long peak = 0;
        try (OutputStream out = new RecordingCipher.Writer(Files.newOutputStream(file), key, "k-1",
                RecordingCipher.DEFAULT_CHUNK)) {
            for (long left = total; left > 0; left -= block.length) {
                random.nextBytes(block);
                int n = (int) Math.min(block.length, left);
                written.update(block, 0, n);
                out.write(block, 0, n);
                if (total - left == total / 2 / block.length * block.length) {
                    peak = Math.max(peak, retained(runtime) - before);
                }
            }
        }
        assertThat(RecordingCipher.plainLength(file)).isEqualTo(total);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long count = 0;
        try (InputStream in = new RecordingCipher.Reader(Files.newInputStream(file), Map.of("k-1", key))) {
            for (int n; (n = in.read(block)) > 0; count += n) {
                read.update(block, 0, n);
                if (count == total / 2 / block.length * block.length) {
                    peak = Math.max(peak, retained(runtime) - before);
                }
            }
        }
        assertThat(count).isEqualTo(total);
        assertThat(read.digest()).isEqualTo(written.digest());
        // Measured after a collection half-way through each direction: a writer or reader holding what it has seen
        // (32 MiB by then) would exceed this; one chunk (64 KiB) and the stream buffers do not.
        assertThat(peak).isLessThan(16L * 1024 * 1024);
    }

    @Test
    void anEncryptedRecordingIsNoWavOnDiskAndReadsBackAsOneWithItsSizes(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("call.wav");
        RecordingKeys keys = RecordingKeys.of("k-1", KEY);
        short[] tone = new short[160];
        Arrays.fill(tone, (short) 1000);
        try (Recorder recorder = new Recorder(file, RecordingChannels.STEREO, keys)) {
            for (int i = 0; i < 500; i++) {
                recorder.append(tone, null, 160);
            }
        }
        byte[] disk = Files.readAllBytes(file);
        assertThat(new String(disk, 0, 4)).isNotEqualTo("RIFF");
        assertThat(RecordingCipher.isEncrypted(file)).isTrue();

        RecordingContent content = RecordingFiles.decrypting(file, keys);
        byte[] wav;
        try (InputStream in = content.stream()) {
            wav = in.readAllBytes();
        }
        assertThat(content.length()).isEqualTo(wav.length).isEqualTo(44 + 500 * 160 * 4);
        ByteBuffer header = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(new String(wav, 0, 4)).isEqualTo("RIFF");
        assertThat(header.getInt(4)).isEqualTo(wav.length - 8);
        assertThat(header.getInt(40)).isEqualTo(wav.length - 44);
        assertThat(header.getShort(44)).isEqualTo((short) 1000);
        assertThat(header.getShort(46)).isZero();

        assertThatThrownBy(() -> RecordingFiles.decrypting(file, RecordingKeys.of("k-1", OTHER_KEY)))
                .isInstanceOf(RecordingUnreadable.class);
    }

    @Test
    void aKeyThatIsNot32BytesStopsTheStart() {
        assertThatThrownBy(() -> RecordingKeys.of("1", Base64.getEncoder().encodeToString(new byte[16])))
                .hasMessageContaining("32 bytes");
        assertThatThrownBy(() -> RecordingKeys.of("1", "not base64!")).hasMessageContaining("not base64");
        assertThat(RecordingKeys.of("1", null).encrypting()).isFalse();
    }

    private static long retained(Runtime runtime) {
        System.gc();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    private static byte[] seal(byte[] plain, String key) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream writer = new RecordingCipher.Writer(out, key(key), "k-1", CHUNK)) {
            // Odd write sizes: chunking must not depend on how the bytes arrive.
            for (int i = 0; i < plain.length; i += 333) {
                writer.write(plain, i, Math.min(333, plain.length - i));
            }
        }
        return out.toByteArray();
    }

    private static byte[] open(byte[] sealed, String key) throws IOException {
        try (InputStream in = new RecordingCipher.Reader(new ByteArrayInputStream(sealed), Map.of("k-1", key(key)))) {
            return in.readAllBytes();
        }
    }

    private static SecretKey key(String base64) {
        return RecordingKeys.of("k-1", base64).current();
    }

    private static byte[] bytes(int length, int seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        if (needle.length == 0) {
            return -1;
        }
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
