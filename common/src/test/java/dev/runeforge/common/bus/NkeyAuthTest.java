package dev.runeforge.common.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import io.nats.client.NKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NkeyAuthTest {
    /** jnats' own nkey implementation is the reference: same public key, and it accepts our signature. */
    @Test
    void answersTheServersChallengeAsJnatsNkeysWould() throws Exception {
        NKey reference = NKey.createUser(null);
        String seed = new String(reference.getSeed());
        NkeyAuth auth = NkeyAuth.ofSeed(seed);

        assertEquals(new String(reference.getPublicKey()), auth.publicKey());
        assertArrayEquals(reference.getPublicKey(), auth.getID());
        assertNull(auth.getJWT(), "nkey authentication sends no JWT");
        byte[] nonce = "a nonce from the server".getBytes(StandardCharsets.UTF_8);
        assertTrue(NKey.fromPublicKey(reference.getPublicKey()).verify(nonce, auth.sign(nonce)));
        assertFalse(NKey.fromPublicKey(reference.getPublicKey()).verify("another".getBytes(StandardCharsets.UTF_8), auth.sign(nonce)));
    }

    @Test
    void aSeedFileIsReadAgainAtEveryConnectSoARotatedSecretTakesEffect(@TempDir Path dir) throws Exception {
        NKey first = NKey.createUser(null);
        NKey second = NKey.createUser(null);
        Path file = dir.resolve("gateway-service.nk");
        Files.writeString(file, new String(first.getSeed()) + "\n");
        NkeyAuth auth = NkeyAuth.fromFile(file);
        byte[] nonce = {1, 2, 3};
        assertTrue(NKey.fromPublicKey(first.getPublicKey()).verify(nonce, auth.sign(nonce)));

        Files.writeString(file, new String(second.getSeed()));
        assertTrue(NKey.fromPublicKey(second.getPublicKey()).verify(nonce, auth.sign(nonce)));
    }

    @Test
    void showsThePublicKeyNeverTheSeed() throws Exception {
        NKey key = NKey.createUser(null);
        String text = NkeyAuth.ofSeed(new String(key.getSeed())).toString();
        assertTrue(text.contains(new String(key.getPublicKey())), text);
        assertFalse(text.contains(new String(key.getSeed())), text);
    }

    @Test
    void refusesWhatIsNoUserSeed() throws Exception {
        assertThrows(IllegalArgumentException.class, () -> NkeyAuth.ofSeed("not-a-seed"));
        // A public key is no seed, and an account seed is no user's.
        assertThrows(IllegalArgumentException.class, () -> NkeyAuth.ofSeed(new String(NKey.createUser(null).getPublicKey())));
        assertThrows(IllegalArgumentException.class, () -> NkeyAuth.ofSeed(new String(NKey.createAccount(null).getSeed())));
        String seed = new String(NKey.createUser(null).getSeed());
        String corrupted = seed.substring(0, 10) + (seed.charAt(10) == 'A' ? 'B' : 'A') + seed.substring(11);
        assertThrows(IllegalArgumentException.class, () -> NkeyAuth.ofSeed(corrupted), "checksum");
    }
}
