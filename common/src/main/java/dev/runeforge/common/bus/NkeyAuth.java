package dev.runeforge.common.bus;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Supplier;

import io.nats.client.AuthHandler;

/**
 * Answers the NATS server's nkey challenge (the server sends a nonce; the client signs it with its Ed25519 seed and
 * names its public key), with the JDK's Ed25519. jnats' own {@code NKey} does the same through BouncyCastle, whose
 * first signature took 2-7 s on a busy 2-core machine (native-library loading into /tmp, then the pure-Java
 * fallback), longer than the 2 s connect timeout; the JDK's took 0.3-0.7 s. The seed never leaves this process,
 * and a seed read from a file is read again at every (re)connect, so a rotated secret takes effect without a
 * restart. {@link #toString()} shows the public key only.
 */
public final class NkeyAuth implements AuthHandler {
    private static final int PREFIX_SEED = 18 << 3; // 'S'
    private static final int PREFIX_USER = 20 << 3; // 'U'
    private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

    private final Supplier<String> seed;
    private final String publicKey;

    private NkeyAuth(Supplier<String> seed) {
        this.seed = seed;
        this.publicKey = publicKeyOf(seed.get());
    }

    /** The seed ({@code SU...}) in {@code file}, read now (to fail early) and at every connect. */
    public static NkeyAuth fromFile(Path file) {
        Objects.requireNonNull(file, "file");
        return new NkeyAuth(() -> {
            try {
                return Files.readString(file, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the NATS nkey seed " + file, e);
            }
        });
    }

    public static NkeyAuth ofSeed(String seed) {
        String s = Objects.requireNonNull(seed, "seed").strip();
        return new NkeyAuth(() -> s);
    }

    /** The user's public key ({@code U...}): what the server's permission table names. */
    public String publicKey() {
        return publicKey;
    }

    @Override
    public byte[] sign(byte[] nonce) {
        try {
            Signature ed = Signature.getInstance("Ed25519");
            ed.initSign(privateKey(seed.get()));
            ed.update(nonce);
            return ed.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign the NATS nonce", e);
        }
    }

    @Override
    public char[] getID() {
        return publicKey.toCharArray();
    }

    @Override
    public char[] getJWT() {
        return null; // nkey authentication: the server knows the public key, no JWT
    }

    @Override
    public String toString() {
        return "NkeyAuth[" + publicKey + "]";
    }

    private static PrivateKey privateKey(String seed) throws GeneralSecurityException {
        return KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, rawSeed(seed)));
    }

    static String publicKeyOf(String seed) {
        try {
            // The JDK has no "public key of this private key"; its generator derives the pair from the bytes it
            // draws, so it is handed exactly the seed.
            KeyPairGenerator gen = KeyPairGenerator.getInstance("Ed25519");
            byte[] raw = rawSeed(seed);
            gen.initialize(NamedParameterSpec.ED25519, new SecureRandom() {
                @Override
                public void nextBytes(byte[] bytes) {
                    System.arraycopy(raw, 0, bytes, 0, Math.min(bytes.length, raw.length));
                }
            });
            byte[] der = gen.generateKeyPair().getPublic().getEncoded();
            byte[] pub = new byte[1 + 32];
            pub[0] = (byte) PREFIX_USER;
            System.arraycopy(der, der.length - 32, pub, 1, 32);
            return encode(pub);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 is not available in this JDK", e);
        }
    }

    /** The 32 bytes of a user seed: base32, two prefix bytes ('S' then 'U'), the seed, a CRC-16. */
    private static byte[] rawSeed(String seed) {
        byte[] raw = decode(seed);
        if (raw.length != 34 || (raw[0] & 0xf8) != PREFIX_SEED || ((raw[0] & 7) << 5 | (raw[1] & 0xff) >> 3) != PREFIX_USER) {
            throw new IllegalArgumentException("not an nkey user seed (SU..., 58 characters)");
        }
        return Arrays.copyOfRange(raw, 2, 34);
    }

    private static String encode(byte[] raw) {
        int crc = crc16(raw);
        byte[] data = Arrays.copyOf(raw, raw.length + 2);
        data[raw.length] = (byte) crc;
        data[raw.length + 1] = (byte) (crc >> 8);
        StringBuilder s = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte d : data) {
            buffer = (buffer << 8) | (d & 0xff);
            bits += 8;
            while (bits >= 5) {
                s.append(BASE32[(buffer >> (bits - 5)) & 31]);
                bits -= 5;
            }
        }
        if (bits > 0) {
            s.append(BASE32[(buffer << (5 - bits)) & 31]);
        }
        return s.toString();
    }

    private static byte[] decode(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int buffer = 0;
        int bits = 0;
        for (char c : text.toCharArray()) {
            int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
            if (v < 0) {
                throw new IllegalArgumentException("not an nkey (base32)");
            }
            buffer = (buffer << 5) | v;
            bits += 5;
            if (bits >= 8) {
                out.write((buffer >> (bits - 8)) & 0xff);
                bits -= 8;
            }
        }
        byte[] all = out.toByteArray();
        if (all.length < 3) {
            throw new IllegalArgumentException("not an nkey (too short)");
        }
        byte[] raw = Arrays.copyOf(all, all.length - 2);
        int crc = (all[all.length - 2] & 0xff) | (all[all.length - 1] & 0xff) << 8;
        if (crc != crc16(raw)) {
            throw new IllegalArgumentException("not an nkey (checksum)");
        }
        return raw;
    }

    /** CRC-16/XMODEM, as nkeys use it. */
    private static int crc16(byte[] data) {
        int crc = 0;
        for (byte b : data) {
            crc ^= (b & 0xff) << 8;
            for (int i = 0; i < 8; i++) {
                crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
            }
            crc &= 0xffff;
        }
        return crc;
    }
}
