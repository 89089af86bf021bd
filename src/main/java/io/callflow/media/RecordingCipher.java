package io.callflow.media;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Map;

import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * Callflow's encrypted recording format: AES-256-GCM over a stream cut into chunks, so a recording is written and read
 * in bounded memory and never exists decrypted on disk.
 *
 * <pre>
 * header: "CFREC" 0x01 | key id length (1 byte) | key id (UTF-8) | chunk size (int, big-endian)
 * chunk:  final flag (1 byte, 0 or 1) | ciphertext length (int) | nonce (12 random bytes) | ciphertext + 16-byte tag
 * </pre>
 *
 * Each chunk's additional authenticated data is the whole header, the chunk's index (long) and its final flag: a
 * chunk moved, dropped or replayed, a header edited, or a file cut short (no chunk marked final) fails to read. Every
 * chunk holds {@code chunk size} plain bytes except the final one (0 to chunk size).
 */
final class RecordingCipher {

    static final byte[] MAGIC = {'C', 'F', 'R', 'E', 'C', 1};
    static final int DEFAULT_CHUNK = 64 * 1024;
    static final int NONCE = 12;
    static final int TAG = 16;
    /** Flag, length and nonce before each chunk's ciphertext. */
    static final int CHUNK_HEADER = 1 + 4 + NONCE;

    private static final SecureRandom RANDOM = new SecureRandom();

    private RecordingCipher() {
    }

    /** Whether the file starts like an encrypted recording. */
    static boolean isEncrypted(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer start = ByteBuffer.allocate(MAGIC.length);
            readAt(in, start, 0);
            return Arrays.equals(start.array(), MAGIC);
        } catch (EOFException e) {
            return false;
        }
    }

    static byte[] header(String keyId, int chunkSize) {
        byte[] id = keyId.getBytes(StandardCharsets.UTF_8);
        if (id.length == 0 || id.length > 255) {
            throw new IllegalArgumentException("a key id has 1 to 255 bytes");
        }
        return ByteBuffer.allocate(MAGIC.length + 1 + id.length + 4).put(MAGIC).put((byte) id.length).put(id)
                .putInt(chunkSize).array();
    }

    private static byte[] aad(byte[] header, long index, boolean last) {
        return ByteBuffer.allocate(header.length + 9).put(header).putLong(index).put((byte) (last ? 1 : 0)).array();
    }

    /** Writes plain bytes as encrypted chunks; {@link #close()} writes the final chunk. Not thread-safe. */
    static final class Writer extends OutputStream {

        private final OutputStream out;
        private final SecretKey key;
        private final byte[] header;
        private final byte[] pending;
        private int filled;
        private long index;
        private boolean closed;

        Writer(OutputStream out, SecretKey key, String keyId, int chunkSize) throws IOException {
            this.out = out;
            this.key = key;
            this.header = header(keyId, chunkSize);
            this.pending = new byte[chunkSize];
            out.write(header);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                // A full chunk is written only once more bytes arrive: the last chunk must carry the final flag.
                if (filled == pending.length) {
                    seal(false);
                }
                int n = Math.min(length, pending.length - filled);
                System.arraycopy(bytes, offset, pending, filled, n);
                filled += n;
                offset += n;
                length -= n;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            if (!closed) {
                closed = true;
                try (out) {
                    seal(true);
                }
            }
        }

        private void seal(boolean last) throws IOException {
            byte[] nonce = new byte[NONCE];
            RANDOM.nextBytes(nonce);
            byte[] sealed;
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
                cipher.updateAAD(aad(header, index, last));
                sealed = cipher.doFinal(pending, 0, filled);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot encrypt a recording chunk: " + e, e);
            }
            out.write(ByteBuffer.allocate(CHUNK_HEADER).put((byte) (last ? 1 : 0)).putInt(sealed.length).put(nonce)
                    .array());
            out.write(sealed);
            index++;
            filled = 0;
        }
    }

    /**
     * Reads an encrypted recording back as plain bytes, one chunk in memory at a time; a wrong key, an edited, moved or
     * missing chunk, or a file cut short throws an {@link IOException} (at the latest at the end of the stream).
     */
    static final class Reader extends InputStream {

        private final InputStream in;
        private final SecretKey key;
        private final byte[] header;
        private final int chunkSize;
        private final String keyId;
        private byte[] plain = new byte[0];
        private int position;
        private long index;
        private boolean finished;

        /** Reads the header and picks the key named in it from {@code keys} (key id to key). */
        Reader(InputStream in, Map<String, SecretKey> keys) throws IOException {
            this.in = in;
            byte[] magic = in.readNBytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new IOException("not an encrypted recording");
            }
            int idLength = in.read();
            if (idLength <= 0) {
                throw new IOException("encrypted recording: bad header");
            }
            byte[] id = readFully(in, idLength);
            this.keyId = new String(id, StandardCharsets.UTF_8);
            this.chunkSize = ByteBuffer.wrap(readFully(in, 4)).getInt();
            if (chunkSize <= 0 || chunkSize > 16 * 1024 * 1024) {
                throw new IOException("encrypted recording: bad chunk size " + chunkSize);
            }
            this.header = header(keyId, chunkSize);
            this.key = keys.get(keyId);
            if (key == null) {
                throw new IOException("encrypted recording: no key with id '" + keyId + "' is configured");
            }
        }

        String keyId() {
            return keyId;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            while (position == plain.length) {
                if (finished) {
                    return -1;
                }
                next();
            }
            int n = Math.min(length, plain.length - position);
            System.arraycopy(plain, position, buffer, offset, n);
            position += n;
            return n;
        }

        private void next() throws IOException {
            int flag = in.read();
            if (flag < 0) {
                throw new EOFException("encrypted recording is truncated: it ends without its final chunk");
            }
            if (flag > 1) {
                throw new IOException("encrypted recording: chunk " + index + " has a bad flag");
            }
            byte[] head = readFully(in, 4 + NONCE);
            int length = ByteBuffer.wrap(head, 0, 4).getInt();
            if (length < TAG || length > chunkSize + TAG) {
                throw new IOException("encrypted recording: chunk " + index + " has a bad length " + length);
            }
            byte[] nonce = Arrays.copyOfRange(head, 4, 4 + NONCE);
            byte[] sealed = readFully(in, length);
            boolean last = flag == 1;
            try {
                Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
                cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG * 8, nonce));
                cipher.updateAAD(aad(header, index, last));
                plain = cipher.doFinal(sealed);
            } catch (AEADBadTagException e) {
                throw new IOException("encrypted recording: chunk " + index
                        + " fails authentication (wrong key, or the file was altered)", e);
            } catch (GeneralSecurityException e) {
                throw new IOException("cannot decrypt a recording chunk: " + e, e);
            }
            if (!last && plain.length != chunkSize) {
                throw new IOException("encrypted recording: chunk " + index + " is short");
            }
            position = 0;
            index++;
            if (last) {
                finished = true;
                if (in.read() >= 0) {
                    throw new IOException("encrypted recording: bytes after the final chunk");
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private static byte[] readFully(InputStream in, int length) throws IOException {
            byte[] bytes = in.readNBytes(length);
            if (bytes.length != length) {
                throw new EOFException("encrypted recording is truncated");
            }
            return bytes;
        }
    }

    /**
     * The plain length of a complete encrypted recording, from its chunk lengths alone (nothing decrypted), or -1 when
     * it has no final chunk (still being written, or cut short).
     */
    static long plainLength(Path file) throws IOException {
        try (FileChannel in = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer start = ByteBuffer.allocate(MAGIC.length + 1);
            readAt(in, start, 0);
            int headerLength = MAGIC.length + 1 + (start.get(MAGIC.length) & 0xff) + 4;
            long position = headerLength;
            long total = 0;
            ByteBuffer chunk = ByteBuffer.allocate(1 + 4);
            long size = in.size();
            while (position + CHUNK_HEADER <= size) {
                chunk.clear();
                readAt(in, chunk, position);
                int length = chunk.getInt(1);
                total += Math.max(0, length - TAG);
                position += CHUNK_HEADER + length;
                if (chunk.get(0) == 1) {
                    return position == size ? total : -1;
                }
            }
            return -1;
        }
    }

    private static void readAt(FileChannel in, ByteBuffer buffer, long position) throws IOException {
        while (buffer.hasRemaining()) {
            int n = in.read(buffer, position + buffer.position());
            if (n < 0) {
                throw new EOFException("encrypted recording is truncated");
            }
        }
    }
}
