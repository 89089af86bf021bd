package io.callflow.sip;

import java.time.Duration;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.callflow.call.DigestCredential;
import io.callflow.call.SubscriberDirectory;

/**
 * The directory's credentials (HA1) kept for a short while, so a phone's REGISTER costs no database query; unknown
 * users are remembered too, so a REGISTER flood for made-up users does not reach the database either. A changed
 * password or a disabled agent takes effect within the cache time.
 */
final class CachedSubscriberDirectory implements SubscriberDirectory {

    private final LoadingCache<String, Optional<DigestCredential>> credentials;

    CachedSubscriberDirectory(SubscriberDirectory directory, Duration lifetime) {
        this.credentials = Caffeine.newBuilder().expireAfterWrite(lifetime).maximumSize(100_000)
                .build(directory::credential);
    }

    @Override
    public Optional<DigestCredential> credential(String user) {
        return credentials.get(user);
    }
}
