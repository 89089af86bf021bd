package io.callflow.sip;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.callflow.support.ExternalTool;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** Self-signed certificates for 127.0.0.1 made with openssl (PEM, PKCS#8 key), and a TLS client that trusts one. */
final class TestCertificates {

    private TestCertificates() {
    }

    static void requireOpenssl() {
        ExternalTool.require("openssl", "openssl");
    }

    /** Writes {@code cert.pem} and {@code key.pem} for CN={@code name}, valid for IP 127.0.0.1, into {@code dir}. */
    static void selfSigned(Path dir, String name) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // Written beside and moved in, as an operator's renewal does, so the reloader never reads half a file.
        Path cert = dir.resolve("cert.pem.new");
        Path key = dir.resolve("key.pem.new");
        Process openssl = new ProcessBuilder(List.of("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", "/CN=" + name, "-addext",
                "subjectAltName=IP:127.0.0.1", "-keyout", key.toString(), "-out", cert.toString()))
                .redirectErrorStream(true).start();
        String output = new String(openssl.getInputStream().readAllBytes());
        if (!openssl.waitFor(30, TimeUnit.SECONDS) || openssl.exitValue() != 0) {
            throw new IOException("openssl failed: " + output);
        }
        Files.move(key, dir.resolve("key.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(cert, dir.resolve("cert.pem"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    /** A TLS client context that trusts exactly the certificates in {@code pem}. */
    static SSLContext trusting(Path pem) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (var certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca" + i++, (X509Certificate) certificate);
            }
        }
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }
}
