package dev.runeforge.common.bus;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Objects;
import java.util.Optional;

import dev.runeforge.common.config.ServiceConfig;
import io.nats.client.AuthHandler;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * How a service reaches the bus: where ({@code url}), as whom ({@code auth}: its nkey, one identity of
 * deploy/nats/permissions.txt) and whom it trusts ({@code tlsCa}: the CA that signed the NATS servers'
 * certificates). Its replies come back on its own inbox ({@link #inboxPrefix}: {@code _INBOX.<ns>.<service>}; the
 * table lets each identity subscribe to its own inbox only, so nobody reads another service's replies).
 *
 * <p>Keys (docs/operations.md, Configuration): {@code nats.url} ({@code tls://} or {@code nats://}; TLS is used
 * whenever a CA is set); {@code nats.nkey}, the identity's nkey seed ({@code SU...}), a secret: from
 * {@code NATS_NKEY} or the file {@code NATS_NKEY_FILE} names (a mounted secret); {@code nats.tls.ca}, a PEM file of
 * the CA certificate(s) to trust instead of the JVM's defaults. {@link #toString()} never shows the seed.
 */
public record NatsSettings(String url, Optional<AuthHandler> auth, Optional<Path> tlsCa) {
    public static final String DEFAULT_URL = "nats://127.0.0.1:4222";

    public NatsSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(auth, "auth");
        Objects.requireNonNull(tlsCa, "tlsCa");
    }

    /** Whether the connection must be TLS: a {@code tls://} URL or a CA to check the server against. */
    public boolean tls() {
        return tlsCa.isPresent() || url.startsWith("tls://");
    }

    /** The inbox prefix of {@code service} in {@code namespace}, as the permission table grants it. */
    public static String inboxPrefix(String namespace, String service) {
        return "_INBOX." + namespace + "." + service;
    }

    /** Reads {@code nats.url}, {@code nats.nkey} and {@code nats.tls.ca}. */
    public static NatsSettings read(ServiceConfig config) {
        String url = config.string("nats.url", DEFAULT_URL).strip();
        Optional<AuthHandler> auth = config.secret("nats.nkey").map(String::strip).filter(s -> !s.isEmpty())
                .map(NkeyAuth::ofSeed);
        Optional<Path> ca = config.optional("nats.tls.ca").map(String::strip).filter(s -> !s.isEmpty()).map(Path::of);
        return new NatsSettings(url.isEmpty() ? DEFAULT_URL : url, auth, ca);
    }

    /** An SSL context trusting exactly the certificates in the PEM file {@code caPem}. */
    public static SSLContext sslContext(Path caPem) {
        try (InputStream in = Files.newInputStream(caPem)) {
            KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int n = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trust.setCertificateEntry("ca-" + n++, c);
            }
            if (n == 0) {
                throw new IllegalArgumentException("nats.tls.ca: no certificate in " + caPem);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
            return ctx;
        } catch (IOException e) {
            throw new UncheckedIOException("nats.tls.ca: cannot read " + caPem, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("nats.tls.ca: " + caPem + " is not a PEM certificate file: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "NatsSettings[url=" + url + ", auth=" + auth.map(Object::toString).orElse("none") + ", tlsCa="
                + tlsCa.map(Path::toString).orElse(tls() ? "JVM default" : "none (plain TCP)") + "]";
    }
}
