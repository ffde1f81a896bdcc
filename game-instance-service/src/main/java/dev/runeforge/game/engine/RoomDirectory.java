package dev.runeforge.game.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.random.RandomGenerator;

import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;

/**
 * Room codes ({@code WORD-####}, easy to read aloud) in a KV bucket: code -> session id. KV {@code create}
 * fails on an existing key, which makes a code unique among live rooms without any coordination.
 */
public final class RoomDirectory {
    static final List<String> WORDS = List.of(
            "AMBER", "ARROW", "BARD", "BEAR", "BLADE", "BOLT", "BRAVE", "CAVE", "CLOAK", "CLOUD", "COMET", "CROWN",
            "DAWN", "DRAKE", "DUNE", "EAGLE", "EMBER", "FABLE", "FANG", "FERN", "FLAME", "FORGE", "FOX", "FROST",
            "GALE", "GEM", "GLADE", "GOLEM", "GROVE", "HALO", "HAWK", "HELM", "HERO", "HILL", "IVY", "JADE",
            "KEEP", "KING", "KNOT", "LANCE", "LARK", "LEAF", "LION", "LOTUS", "LUTE", "MAGE", "MAPLE", "MARSH",
            "MOON", "MOSS", "NOVA", "OAK", "OPAL", "ORB", "OWL", "PEAK", "PINE", "PIXIE", "QUEST", "RAVEN", "REED",
            "RIVER", "ROBIN", "ROGUE", "RUNE", "SAGE", "SHADE", "SPARK", "STAG", "STAR", "STONE", "STORM", "SWORD",
            "THORN", "TIDE", "TIGER", "TORCH", "TOWER", "VALE", "VINE", "WAND", "WAVE", "WIND", "WOLF", "WYRM", "YEW");
    private static final int ATTEMPTS = 20;

    private final KeyValue kv;
    private final RandomGenerator rng;

    public RoomDirectory(Connection nc, Subjects subjects, RandomGenerator rng) throws IOException {
        this.kv = nc.keyValue(subjects.directoryBucket());
        this.rng = rng;
    }

    public static String randomCode(RandomGenerator rng) {
        return WORDS.get(rng.nextInt(WORDS.size())) + "-" + String.format("%04d", rng.nextInt(10_000));
    }

    /** Reserves a fresh code for {@code session}. */
    public String allocate(String session) throws IOException {
        for (int i = 0; i < ATTEMPTS; i++) {
            String code = randomCode(rng);
            try {
                kv.create(code, session.getBytes(StandardCharsets.UTF_8));
                return code;
            } catch (JetStreamApiException e) {
                if (e.getApiErrorCode() != NatsClients.WRONG_LAST_SEQUENCE) {
                    throw new IOException("room directory: " + e.getMessage(), e);
                }
            }
        }
        throw new IOException("no free room code after " + ATTEMPTS + " attempts");
    }

    public void release(String code) throws IOException {
        try {
            kv.delete(code);
        } catch (JetStreamApiException e) {
            throw new IOException("room directory: " + e.getMessage(), e);
        }
    }
}
