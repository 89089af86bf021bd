package io.callflow.sip;

import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.SslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreBundle;
import org.springframework.boot.ssl.jks.JksSslStoreDetails;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * The TLS server's key material, replaced without a restart: {@link #reloadIfChanged} loads the certificate and key
 * again when their files changed, and new handshakes use them (connections already up keep theirs). Files are read by
 * Spring Boot's SSL store support (PEM with PKCS#8, PKCS#1 or SEC1 keys; PKCS#12 or JKS key stores). A handshake
 * picks an alias, then asks for its chain and key in separate calls; the alias names the generation of key material it
 * came from, so a reload between the calls cannot pair one certificate with another key.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {

    private static final Logger log = LoggerFactory.getLogger(ReloadingKeyManager.class);

    private record Generation(int number, X509ExtendedKeyManager keys, List<Long> stamps) {

        String alias(String inner) {
            return inner == null ? null : number + "/" + inner;
        }
    }

    private final SipTlsProperties tls;
    private volatile Generation current;
    private volatile Generation previous;

    ReloadingKeyManager(SipTlsProperties tls) {
        this.tls = tls;
        if (tls.files().isEmpty()) {
            throw new IllegalArgumentException("callflow.sip.tls.enabled needs callflow.sip.tls.certificate and "
                    + "private-key (PEM), or callflow.sip.tls.key-store");
        }
        this.current = load(1);
        log.info("SIP TLS certificate {}", describe(current));
    }

    /** Loads the key material again if a file changed; a broken new file is logged and the old material kept. */
    boolean reloadIfChanged() {
        Generation now = current;
        if (stamps().equals(now.stamps())) {
            return false;
        }
        try {
            Generation next = load(now.number() + 1);
            previous = now;
            current = next;
            log.info("SIP TLS certificate reloaded: {}", describe(next));
            return true;
        } catch (RuntimeException e) {
            log.warn("SIP TLS certificate files changed but cannot be loaded, keeping the current certificate: {}",
                    e.getMessage());
            return false;
        }
    }

    private Generation load(int number) {
        List<Long> stamps = stamps();
        SslStoreBundle store = tls.keyStore() != null && !tls.keyStore().isBlank()
                ? new JksSslStoreBundle(new JksSslStoreDetails(tls.keyStoreType(), null, tls.keyStore(),
                        tls.keyStorePassword()), null)
                : new PemSslStoreBundle(PemSslStoreDetails.forCertificates(tls.certificate())
                        .withPrivateKey(tls.privateKey()), null);
        for (KeyManager manager : SslBundle.of(store).getManagers().getKeyManagers()) {
            if (manager instanceof X509ExtendedKeyManager keys) {
                return new Generation(number, keys, stamps);
            }
        }
        throw new IllegalStateException("no X.509 key in " + tls.files());
    }

    /** Modification time and size of each file, so that a file rewritten within the same second counts too. */
    private List<Long> stamps() {
        return tls.files().stream().flatMap(file -> {
            try {
                Path path = Path.of(file.startsWith("file:") ? file.substring(5) : file);
                return java.util.stream.Stream.of(Files.getLastModifiedTime(path).toMillis(), Files.size(path));
            } catch (IOException | RuntimeException e) {
                return java.util.stream.Stream.of(-1L, -1L);
            }
        }).toList();
    }

    private static String describe(Generation generation) {
        X509ExtendedKeyManager keys = generation.keys();
        for (String type : List.of("RSA", "EC", "EdDSA", "Ed25519")) {
            String[] aliases = keys.getServerAliases(type, null);
            if (aliases != null && aliases.length > 0) {
                X509Certificate[] chain = keys.getCertificateChain(aliases[0]);
                if (chain != null && chain.length > 0) {
                    return chain[0].getSubjectX500Principal().getName() + ", valid until " + chain[0].getNotAfter();
                }
            }
        }
        return "(no server key found)";
    }

    private X509ExtendedKeyManager keysOf(String alias) {
        Generation now = current;
        Generation before = previous;
        int slash = alias == null ? -1 : alias.indexOf('/');
        if (slash < 0) {
            return null;
        }
        String number = alias.substring(0, slash);
        if (number.equals(Integer.toString(now.number()))) {
            return now.keys();
        }
        return before != null && number.equals(Integer.toString(before.number())) ? before.keys() : null;
    }

    private static String inner(String alias) {
        return alias.substring(alias.indexOf('/') + 1);
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Generation now = current;
        return now.alias(now.keys().chooseEngineServerAlias(keyType, issuers, engine));
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        Generation now = current;
        return now.alias(now.keys().chooseServerAlias(keyType, issuers, socket));
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        Generation now = current;
        return now.alias(now.keys().chooseEngineClientAlias(keyTypes, issuers, engine));
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        Generation now = current;
        return now.alias(now.keys().chooseClientAlias(keyTypes, issuers, socket));
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        Generation now = current;
        String[] aliases = now.keys().getServerAliases(keyType, issuers);
        return aliases == null ? null : java.util.Arrays.stream(aliases).map(now::alias).toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        Generation now = current;
        String[] aliases = now.keys().getClientAliases(keyType, issuers);
        return aliases == null ? null : java.util.Arrays.stream(aliases).map(now::alias).toArray(String[]::new);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        X509ExtendedKeyManager keys = keysOf(alias);
        return keys == null ? null : keys.getCertificateChain(inner(alias));
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        X509ExtendedKeyManager keys = keysOf(alias);
        return keys == null ? null : keys.getPrivateKey(inner(alias));
    }
}
