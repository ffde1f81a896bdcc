package dev.runeforge.media;

import java.util.Objects;

/**
 * A session's LiveKit room name: {@code <namespace>-<session>}, so deployments sharing a LiveKit server (or a NATS
 * namespace per test) never meet in one room.
 */
record RoomNames(String namespace) {
    RoomNames {
        Objects.requireNonNull(namespace, "namespace");
    }

    String of(String session) {
        return namespace + "-" + session;
    }
}
