package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;

import dev.runeforge.common.config.ServiceConfig;
import io.nats.client.NKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NatsSettingsTest {
    /** A CA certificate alone (its key was never kept): what nats.tls.ca names. */
    static final String CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBxjCCAWugAwIBAgIUGKtvSbwEtg89125BKHtd/ByKYKIwCgYIKoZIzj0EAwIw
            NzE1MDMGA1UEAwwsUnVuZSBGb3JnZSB0ZXN0IENBIChwdWJsaWMgY2VydGlmaWNh
            dGUgb25seSkwIBcNMjYxMjA2MTIxMTA2WhgPMjEyNjExMTIxMjExMDZaMDcxNTAz
            BgNVBAMMLFJ1bmUgRm9yZ2UgdGVzdCBDQSAocHVibGljIGNlcnRpZmljYXRlIG9u
            bHkpMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEv3k+No2xKwYWPD5kzcGaih4S
            swY1n5jXy1bHyczHbQTJnbYjEhR5mvjZLHuq1t5Pn0kwGT36NEprimip57IjJ6NT
            MFEwHQYDVR0OBBYEFHElNtZWUOcv4liEgD1z6WTydlL2MB8GA1UdIwQYMBaAFHEl
            NtZWUOcv4liEgD1z6WTydlL2MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwID
            SQAwRgIhAN9vNBFcQ9mdUq6aw1wKSFYWlmsioQljMpFf5v+n0W5VAiEAm5QPlCe1
            RSUXWld4T1GtuQ7Ern9l6baRgutDkZfk11U=
            -----END CERTIFICATE-----
            """;

    private static ServiceConfig config(Map<String, String> env) {
        return ServiceConfig.of(Map.of(), env, new Properties());
    }

    @Test
    void aServiceConnectsAsItsIdentityWithTlsAndAnInboxOfItsOwn(@TempDir Path dir) throws Exception {
        NKey key = NKey.createUser(null);
        Path seed = dir.resolve("gateway-service.nk");
        Files.writeString(seed, new String(key.getSeed()) + "\n");
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, CA_PEM);

        NatsSettings s = NatsSettings.read(config(Map.of("NATS_URL", "tls://nats:4222",
                "NATS_NKEY_FILE", seed.toString(), "NATS_TLS_CA", ca.toString())));

        assertEquals("tls://nats:4222", s.url());
        assertEquals(new String(key.getPublicKey()), ((NkeyAuth) s.auth().orElseThrow()).publicKey());
        assertEquals(Optional.of(ca), s.tlsCa());
        assertTrue(s.tls());
        assertEquals("_INBOX.rf.gateway-service", NatsSettings.inboxPrefix("rf", "gateway-service"));
        assertTrue(NatsSettings.sslContext(ca).getProtocol().startsWith("TLS"));
        assertFalse(s.toString().contains(new String(key.getSeed())), s.toString());
    }

    @Test
    void theSeedIsASecretFromTheEnvironmentOrTheFileItNamesNeverBoth(@TempDir Path dir) throws Exception {
        NKey fromFile = NKey.createUser(null);
        NKey fromValue = NKey.createUser(null);
        Path seed = dir.resolve("seed");
        Files.writeString(seed, new String(fromFile.getSeed()));

        NatsSettings byFile = NatsSettings.read(config(Map.of("NATS_NKEY_FILE", seed.toString())));
        assertEquals(new String(fromFile.getPublicKey()), ((NkeyAuth) byFile.auth().orElseThrow()).publicKey());

        NatsSettings byValue = NatsSettings.read(config(Map.of("NATS_NKEY", new String(fromValue.getSeed()))));
        assertEquals(new String(fromValue.getPublicKey()), ((NkeyAuth) byValue.auth().orElseThrow()).publicKey());

        IllegalStateException both = assertThrows(IllegalStateException.class, () -> NatsSettings.read(config(Map.of(
                "NATS_NKEY", new String(fromValue.getSeed()), "NATS_NKEY_FILE", seed.toString()))));
        assertTrue(both.getMessage().contains("NATS_NKEY_FILE"), both.getMessage());
    }

    @Test
    void withoutSettingsItIsAPlainConnectionToTheLocalDefault() {
        NatsSettings s = NatsSettings.read(ServiceConfig.load(Map.of("nats.url", "")));
        assertEquals(NatsSettings.DEFAULT_URL, s.url());
        assertTrue(s.auth().isEmpty());
        assertFalse(s.tls());
        assertTrue(s.toString().contains("plain TCP"), s.toString());
        assertTrue(NatsSettings.read(ServiceConfig.load(Map.of("nats.url", "tls://x:4222"))).tls(),
                "a tls:// URL alone means TLS, trusting the JVM's CAs");
    }

    @Test
    void aMissingSeedFileABadSeedOrABadCaFailsAtStartNotAtTheFirstReconnect(@TempDir Path dir) throws Exception {
        assertThrows(RuntimeException.class, () -> NatsSettings.read(config(Map.of(
                "NATS_NKEY_FILE", dir.resolve("missing.nk").toString()))));
        assertThrows(RuntimeException.class, () -> NatsSettings.read(config(Map.of("NATS_NKEY", "not-a-seed"))));
        Path notPem = dir.resolve("ca.pem");
        Files.writeString(notPem, "not a certificate");
        assertThrows(IllegalArgumentException.class, () -> NatsSettings.sslContext(notPem));
        assertThrows(RuntimeException.class, () -> NatsSettings.sslContext(dir.resolve("absent.pem")));
    }
}
