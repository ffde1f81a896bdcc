package dev.runeforge.auth.keys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import org.junit.jupiter.api.Test;

class SecretBoxTest {
    private static String secret(int fill) {
        byte[] raw = new byte[32];
        java.util.Arrays.fill(raw, (byte) fill);
        return Base64.getEncoder().encodeToString(raw);
    }

    @Test
    void sealedBytesOpenOnlyWithTheSameSecretAndSlot() {
        SecretBox box = SecretBox.fromBase64(secret(1));
        byte[] plain = "{\"d\":\"private\"}".getBytes(StandardCharsets.UTF_8);
        byte[] sealed = box.seal(plain, "slot-a");
        assertArrayEquals(plain, box.open(sealed, "slot-a"));
        assertThrows(IllegalStateException.class, () -> box.open(sealed, "slot-b"));
        assertThrows(IllegalStateException.class, () -> SecretBox.fromBase64(secret(2)).open(sealed, "slot-a"));
        byte[] flipped = sealed.clone();
        flipped[20] ^= 1;
        assertThrows(IllegalStateException.class, () -> box.open(flipped, "slot-a"));
    }

    @Test
    void aSecretMustBe32BytesOfBase64() {
        assertThrows(IllegalArgumentException.class, () -> SecretBox.fromBase64("c2hvcnQ="));
        assertThrows(IllegalArgumentException.class, () -> SecretBox.fromBase64("not base64 at all!"));
    }
}
