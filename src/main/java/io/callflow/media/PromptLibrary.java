package io.callflow.media;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import io.callflow.platform.ContentFile;
import io.callflow.platform.ContentProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Prompts as 8 kHz 16-bit samples, read once from {@code prompts/<language>/<name>.wav} (8 kHz mono, 16-bit PCM or
 * G.711) and cached. A file edited on disk is read again when it changes size or time; a missing or unusable file
 * is an error naming it, except that a prompt missing in the call's language is played in the default language
 * ({@code callflow.prompts.default-language}) with a warning: a caller hears English rather than silence.
 */
@Component
class PromptLibrary {

    private static final Logger log = LoggerFactory.getLogger(PromptLibrary.class);
    private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})?");

    private final ContentProperties content;
    private final String defaultLanguage;
    private final Map<String, short[]> cache = new ConcurrentHashMap<>();
    /** language/name pairs already warned about: one warning per missing prompt, not one per call. */
    private final Set<String> warned = ConcurrentHashMap.newKeySet();

    PromptLibrary(ContentProperties content) {
        this(content, "en");
    }

    @Autowired
    PromptLibrary(ContentProperties content, @Value("${callflow.prompts.default-language:en}") String defaultLanguage) {
        this.content = content;
        this.defaultLanguage = defaultLanguage;
    }

    /**
     * The samples of prompt {@code name} in {@code language}; a name may name its own language ({@code "de:welcome"},
     * as a language menu does, each language announcing itself). Missing in that language: the default language's.
     */
    short[] prompt(String language, String name) {
        String folder = language == null || language.isBlank() ? defaultLanguage : language;
        String plain = name;
        int colon = name.indexOf(':');
        if (colon > 0) {
            folder = name.substring(0, colon);
            plain = name.substring(colon + 1);
        }
        if (!LANGUAGE.matcher(folder).matches()) {
            throw new IllegalArgumentException("language '" + folder + "' of prompt '" + name + "' is not a language tag");
        }
        try {
            return samples(folder, plain);
        } catch (PromptNotFound missing) {
            if (folder.equals(defaultLanguage)) {
                throw missing;
            }
            if (warned.add(folder + "/" + plain)) {
                log.warn("Prompt '{}' has no {} recording ({}); playing the {} one instead", plain, folder,
                        missing.getMessage(), defaultLanguage);
            }
            return samples(defaultLanguage, plain);
        }
    }

    /** The samples of {@code <folder>/<name>.wav}; throws {@link IllegalArgumentException} naming the file. */
    short[] samples(String folder, String name) {
        if (name.contains("/") || name.contains("..") || folder.contains("..")) {
            throw new IllegalArgumentException("prompt name '" + name + "' is not a plain name");
        }
        String relative = folder + "/" + name + ".wav";
        ContentFile file = content.prompts().file(relative).orElseThrow(() -> new PromptNotFound(
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

    /** A prompt with no file in the language asked for. */
    static final class PromptNotFound extends IllegalArgumentException {
        PromptNotFound(String message) {
            super(message);
        }
    }
}
