package io.callflow.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.callflow.platform.ContentFile;
import io.callflow.platform.ContentProperties;
import org.springframework.stereotype.Component;

/**
 * Prompts as 8 kHz 16-bit samples, read once from {@code prompts/<language>/<name>.wav} (8 kHz mono, 16-bit PCM or
 * G.711) and cached. A file edited on disk is read again when it changes size or time; a missing or unusable file
 * is an error naming it.
 */
@Component
class PromptLibrary {

    private final ContentProperties content;
    private final Map<String, short[]> cache = new ConcurrentHashMap<>();

    PromptLibrary(ContentProperties content) {
        this.content = content;
    }

    /** The samples of {@code <folder>/<name>.wav}; throws {@link IllegalArgumentException} naming the file. */
    short[] samples(String folder, String name) {
        if (name.contains("/") || name.contains("..") || folder.contains("..")) {
            throw new IllegalArgumentException("prompt name '" + name + "' is not a plain name");
        }
        String relative = folder + "/" + name + ".wav";
        ContentFile file = content.prompts().file(relative).orElseThrow(() -> new IllegalArgumentException(
                "prompt " + relative + " not found in " + content.prompts().absoluteDirectory() + " or the jar"));
        String key = file.origin() + ":" + file.content().length;
        return cache.computeIfAbsent(key, k -> decode(relative, file.content()));
    }

    static short[] decode(String name, byte[] wav) {
        ByteBuffer in = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
        if (wav.length < 12 || in.getInt(0) != 0x46464952 || in.getInt(8) != 0x45564157) {
            throw new IllegalArgumentException("prompt " + name + " is not a WAV file");
        }
        int format = -1;
        int channels = 0;
        int rate = 0;
        int bits = 0;
        int pos = 12;
        while (pos + 8 <= wav.length) {
            int id = in.getInt(pos);
            int size = in.getInt(pos + 4);
            int body = pos + 8;
            if (id == 0x20746d66) { // "fmt "
                format = in.getShort(body) & 0xffff;
                channels = in.getShort(body + 2);
                rate = in.getInt(body + 4);
                bits = in.getShort(body + 14);
            } else if (id == 0x61746164) { // "data"
                int length = Math.min(size, wav.length - body);
                if (channels != 1 || rate != 8000) {
                    throw new IllegalArgumentException("prompt " + name + " must be 8 kHz mono, not " + rate
                            + " Hz with " + channels + " channel(s)");
                }
                if (format == 1 && bits == 16) {
                    short[] samples = new short[length / 2];
                    for (int i = 0; i < samples.length; i++) {
                        samples[i] = in.getShort(body + 2 * i);
                    }
                    return samples;
                }
                if (format == 6 || format == 7) {
                    short[] samples = new short[length];
                    int type = format == 6 ? Sdp.PCMA : Sdp.PCMU;
                    for (int i = 0; i < length; i++) {
                        samples[i] = G711.decode(type, wav[body + i]);
                    }
                    return samples;
                }
                throw new IllegalArgumentException("prompt " + name + " must be 16-bit PCM or G.711, not format "
                        + format + " with " + bits + " bits");
            }
            pos = body + size + (size & 1);
        }
        throw new IllegalArgumentException("prompt " + name + " has no audio data");
    }
}
