package dev.runeforge.common.bus;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;

/**
 * The KV bucket {@code <ns>-directory} ({@link Subjects#directoryBucket()}): room code -> session id (UTF-8). One
 * contract for its writer (the game instance that creates a room, {@link #allocate}, and frees its code when it
 * closes, {@link #release}) and its reader (the gateway resolving {@code join {code}}, {@link #session}).
 *
 * <p>Codes are {@code WORD-WORD-####}, easy to read aloud. KV {@code create} fails on an existing key, which makes a
 * code unique among live rooms without any coordination. Two words: 86 x 86 x 10^4 = 73,960,000 codes, so that
 * guessing a live one at the gateway's miss limit is unlikely within a day (docs/security.md, Rooms); one word gave
 * 860,000, and one guest found a victim's room in 12.5 s.
 */
public final class DirectoryBucket {
    static final List<String> WORDS = List.of(
            "AMBER", "ARROW", "BARD", "BEAR", "BLADE", "BOLT", "BRAVE", "CAVE", "CLOAK", "CLOUD", "COMET", "CROWN",
            "DAWN", "DRAKE", "DUNE", "EAGLE", "EMBER", "FABLE", "FANG", "FERN", "FLAME", "FORGE", "FOX", "FROST",
            "GALE", "GEM", "GLADE", "GOLEM", "GROVE", "HALO", "HAWK", "HELM", "HERO", "HILL", "IVY", "JADE",
            "KEEP", "KING", "KNOT", "LANCE", "LARK", "LEAF", "LION", "LOTUS", "LUTE", "MAGE", "MAPLE", "MARSH",
            "MOON", "MOSS", "NOVA", "OAK", "OPAL", "ORB", "OWL", "PEAK", "PINE", "PIXIE", "QUEST", "RAVEN", "REED",
            "RIVER", "ROBIN", "ROGUE", "RUNE", "SAGE", "SHADE", "SPARK", "STAG", "STAR", "STONE", "STORM", "SWORD",
            "THORN", "TIDE", "TIGER", "TORCH", "TOWER", "VALE", "VINE", "WAND", "WAVE", "WIND", "WOLF", "WYRM", "YEW");
    /** {@code WOLF-RUNE-1234}; the shorter {@code WOLF-1234} of rooms opened before issue 16 is still found. */
    static final Pattern CODE = Pattern.compile("([A-Z]{2,12}-){1,2}\\d{4}");
    /** Fresh codes tried before an allocation gives up. */
    private static final int ATTEMPTS = 20;

    private final KvHandle kv;

    private DirectoryBucket(KvHandle kv) {
        this.kv = kv;
    }

    /**
     * The bucket, opened on first use: for the gateway, which may not create it (only game instances may); until
     * one has, there is no room to find.
     */
    public static DirectoryBucket lazy(Connection nc, Subjects subjects) {
        return new DirectoryBucket(KvHandle.lazy(nc, subjects.directoryBucket()));
    }

    /** The bucket opened now; it must exist ({@link NatsClients#ensureDirectory}). */
    public static DirectoryBucket open(Connection nc, Subjects subjects) throws IOException {
        return new DirectoryBucket(KvHandle.of(nc.keyValue(subjects.directoryBucket())));
    }

    /** The session a room code names; empty when no live room has it (or it is no code at all). */
    public Optional<String> session(String code) throws IOException {
        if (code == null || !CODE.matcher(code).matches()) {
            return Optional.empty();
        }
        try {
            KeyValue open = kv.openIfExists();
            if (open == null) {
                return Optional.empty();
            }
            KeyValueEntry entry = open.get(code);
            return entry == null || entry.getValue() == null ? Optional.empty()
                    : Optional.of(new String(entry.getValue(), StandardCharsets.UTF_8));
        } catch (JetStreamApiException e) {
            throw new IOException("room directory: " + e.getMessage(), e);
        }
    }

    public static String randomCode(RandomGenerator rng) {
        return WORDS.get(rng.nextInt(WORDS.size())) + "-" + WORDS.get(rng.nextInt(WORDS.size())) + "-"
                + String.format("%04d", rng.nextInt(10_000));
    }

    /** Reserves a fresh code for {@code session}: the first of up to 20 random ones no live room holds. */
    public String allocate(String session, RandomGenerator rng) throws IOException {
        KeyValue open = kv.open();
        for (int i = 0; i < ATTEMPTS; i++) {
            String code = randomCode(rng);
            try {
                open.create(code, session.getBytes(StandardCharsets.UTF_8));
                return code;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                    throw new IOException("room directory: " + e.getMessage(), e);
                }
            }
        }
        throw new IOException("no free room code after " + ATTEMPTS + " attempts");
    }

    /** Frees {@code code} (its room closed): it may name a new room now. */
    public void release(String code) throws IOException {
        try {
            kv.open().delete(code);
        } catch (JetStreamApiException e) {
            throw new IOException("room directory: " + e.getMessage(), e);
        }
    }
}
