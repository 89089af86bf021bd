package io.callflow.sip;

import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

import gov.nist.core.net.SecurityManagerProvider;
import javax.net.ssl.KeyManager;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

import org.springframework.boot.ssl.SslBundle;
import org.springframework.boot.ssl.pem.PemSslStoreBundle;
import org.springframework.boot.ssl.pem.PemSslStoreDetails;

/**
 * Where JAIN-SIP's TLS transport gets its keys and trust ({@code gov.nist.javax.sip.SECURITY_MANAGER_PROVIDER}). The
 * stack's default provider reads the {@code javax.net.ssl.*} system properties and logs four warnings when they are
 * unset, which is every start without TLS; this one takes Callflow's settings instead. The stack creates it by class
 * name without arguments, hence public and the hand-over by stack name, as for the TCP guard.
 */
public final class SipTlsKeys implements SecurityManagerProvider {

    private static final Map<String, Material> MATERIAL = new ConcurrentHashMap<>();

    /** What a stack's TLS transport uses: our key manager (null with TLS off) and the trust for outbound connections. */
    record Material(ReloadingKeyManager keys, TrustManager[] trust) {
    }

    private Material material = new Material(null, null);

    /** Hands the key material to the stack named {@code stackName}, which takes it when it is created. */
    static void register(String stackName, SipTlsProperties tls, ReloadingKeyManager keys)
            throws GeneralSecurityException {
        MATERIAL.put(stackName, new Material(keys, keys == null ? null : trust(tls)));
    }

    private static TrustManager[] trust(SipTlsProperties tls) throws GeneralSecurityException {
        if (tls.trustCertificates() != null && !tls.trustCertificates().isBlank()) {
            return SslBundle.of(new PemSslStoreBundle(null, PemSslStoreDetails.forCertificates(tls.trustCertificates())))
                    .getManagers().getTrustManagers();
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init((KeyStore) null);
        return factory.getTrustManagers();
    }

    @Override
    public void init(Properties properties) {
        Material registered = MATERIAL.remove(properties.getProperty("javax.sip.STACK_NAME"));
        if (registered != null) {
            material = registered;
        }
    }

    @Override
    public KeyManager[] getKeyManagers(boolean client) {
        return material.keys() == null ? null : new KeyManager[] {material.keys()};
    }

    @Override
    public TrustManager[] getTrustManagers(boolean client) {
        return material.trust();
    }
}
