package dev.runeforge.gateway.session;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.KeyValue;
import io.nats.client.api.KeyValueEntry;

/** Room code -> session id, read from the directory bucket the game instances write. */
public final class RoomLookup {
    private static final Pattern CODE = Pattern.compile("[A-Z]{2,12}-\\d{4}");

    private final KeyValue kv;

    public RoomLookup(Connection nc, Subjects subjects) throws IOException {
        this.kv = nc.keyValue(subjects.directoryBucket());
    }

    public Optional<String> session(String code) throws IOException {
        if (code == null || !CODE.matcher(code).matches()) {
            return Optional.empty();
        }
        try {
            KeyValueEntry entry = kv.get(code);
            return entry == null || entry.getValue() == null ? Optional.empty()
                    : Optional.of(new String(entry.getValue(), StandardCharsets.UTF_8));
        } catch (JetStreamApiException e) {
            throw new IOException("room directory: " + e.getMessage(), e);
        }
    }
}
