package io.callflow.acd;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.regex.Pattern;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * The languages a dialled number offers its callers, in menu order, the first being the number's default: from the
 * number's {@code languages} in provisioning or the admin API. Read once per number every few seconds rather than on
 * every call, so a change shows within {@link #FRESHNESS}.
 */
@Component
public class DidLanguages {

    /** How long a number's languages are taken from memory before the database is asked again. */
    static final Duration FRESHNESS = Duration.ofSeconds(10);
    /** A language menu offers keys 1-9. */
    static final int MAX = 9;
    /** BCP 47 as prompt folders are named: a primary tag and an optional region or variant, "de", "pt-BR". */
    private static final Pattern TAG = Pattern.compile("[a-z]{2,3}(-[A-Za-z0-9]{2,8})?");

    private final JdbcTemplate jdbc;
    private final String defaultLanguage;
    private final LoadingCache<String, List<String>> byDid;

    DidLanguages(JdbcTemplate jdbc, @Value("${callflow.prompts.default-language:en}") String defaultLanguage) {
        this.jdbc = jdbc;
        this.defaultLanguage = defaultLanguage;
        this.byDid = Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(FRESHNESS).build(this::load);
    }

    /** The languages offered at {@code did}, never empty: the default language alone when the number names none. */
    public List<String> offeredAt(String did) {
        return did == null ? List.of(defaultLanguage) : byDid.get(did);
    }

    private List<String> load(String did) {
        // A null column (no languages named) is a null element: no findFirst(), which refuses nulls.
        List<String> rows = jdbc.queryForList("select languages from did_route where did = ?", String.class, did);
        List<String> languages = rows.isEmpty() ? List.of() : parse(rows.get(0));
        return languages.isEmpty() ? List.of(defaultLanguage) : languages;
    }

    /** The stored form of a number's languages (null for none), or {@link IllegalArgumentException} saying why not. */
    static String validated(List<String> languages) {
        if (languages == null || languages.isEmpty()) {
            return null;
        }
        if (languages.size() > MAX) {
            throw new IllegalArgumentException("'languages' offers " + languages.size() + " languages; a language menu"
                    + " has keys 1-" + MAX);
        }
        var seen = new HashSet<String>();
        for (String language : languages) {
            if (language == null || !TAG.matcher(language).matches()) {
                throw new IllegalArgumentException("'languages': '" + language + "' is not a language tag such as en,"
                        + " de or pt-BR (the name of a folder under prompts/)");
            }
            if (!seen.add(language)) {
                throw new IllegalArgumentException("'languages': '" + language + "' is listed twice");
            }
        }
        return String.join(",", languages);
    }

    /** The languages in their stored form, in order. */
    static List<String> parse(String stored) {
        List<String> languages = new ArrayList<>();
        if (stored != null) {
            for (String language : stored.split(",")) {
                if (!language.isBlank()) {
                    languages.add(language.trim());
                }
            }
        }
        return languages;
    }
}
