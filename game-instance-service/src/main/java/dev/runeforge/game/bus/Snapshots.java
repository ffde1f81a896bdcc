package dev.runeforge.game.bus;

import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.LiveSession;
import dev.runeforge.game.engine.RecentIds;
import java.io.IOException;
import java.util.List;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueConfiguration;
import io.nats.client.api.KeyValueEntry;
import io.nats.client.api.StorageType;

/**
 * Session snapshots in a KV bucket (session id -> state at a log position). A snapshot is only a shortcut: the
 * log stays the truth, a session is snapshot + the commits after {@code streamSeq}, and any snapshot, however
 * old, rebuilds the same state.
 */
public final class Snapshots {
    /** What is stored. {@code state} is the game's state record as JSON. */
    public record Snapshot(String session, String game, String code, long seq, long streamSeq, List<String> applied,
                           JsonNode state, long at) {
    }

    private final KeyValue kv;

    public Snapshots(Connection nc, Subjects subjects) throws IOException, JetStreamApiException {
        this(nc, subjects, 1);
    }

    public Snapshots(Connection nc, Subjects subjects, int replicas) throws IOException, JetStreamApiException {
        this.kv = NatsClients.ensureBucket(nc, KeyValueConfiguration.builder().name(subjects.namespace() + "-snapshots")
                .storageType(StorageType.File).maxHistoryPerKey(1).replicas(replicas).build());
    }

    /**
     * What {@link #save} writes: a {@link Snapshot} with the game's state object itself, written straight to JSON
     * (a 40–200 KB dice room state went through a JSON tree first: snapshots were 17 % of the game instance's
     * samples at 4,000 CCU, two thirds of that the tree).
     */
    private record Stored(String session, String game, String code, long seq, long streamSeq, List<String> applied,
                          Object state, long at) {
    }

    /** Stores a snapshot of {@code s} taken at {@code now}; returns its size in bytes. */
    public int save(LiveSession<?, ?, ?> s, long now) throws IOException {
        byte[] data = encode(s, now);
        try {
            kv.put(s.id(), data);
        } catch (JetStreamApiException e) {
            throw new IOException("snapshot of " + s.id() + " failed: " + e.getMessage(), e);
        }
        return data.length;
    }

    public Optional<Snapshot> load(String session) throws IOException {
        try {
            KeyValueEntry entry = kv.get(session);
            return entry == null || entry.getValue() == null ? Optional.empty()
                    : Optional.of(decode(entry.getValue()));
        } catch (JetStreamApiException e) {
            throw new IOException("snapshot of " + session + " unreadable: " + e.getMessage(), e);
        }
    }

    /** What {@link #save} stores for {@code s}. */
    static byte[] encode(LiveSession<?, ?, ?> s, long now) {
        return Json.bytes(new Stored(s.id(), s.rules().id(), s.code(), s.seq(), s.streamSeq(), s.applied().toList(),
                s.state(), now));
    }

    /** A stored snapshot as {@link #load} reads it. */
    static Snapshot decode(byte[] data) {
        return Json.read(data, Snapshot.class);
    }

    /** The live session a snapshot stands for, with the game's rules. */
    public static <S, C, E> LiveSession<S, C, E> restore(GameRules<S, C, E, ?> rules, Snapshot s) {
        return new LiveSession<>(rules, s.session(), s.code(), Json.convert(s.state(), rules.stateType()), s.seq(),
                s.streamSeq(), RecentIds.of(s.applied()));
    }
}
