package dev.runeforge.platform.chaos;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import io.nats.client.Connection;
import io.nats.client.KeyValue;
import io.nats.client.api.ConsumerInfo;

/**
 * What a failed chaos test prints: the lease table with revisions, the consumers' positions, and what the game
 * instances said about their partitions (CI keeps the output, not the process logs).
 */
final class Diagnostics {
    private Diagnostics() {
    }

    static void dump(Connection nc, ProcessPlatform platform) {
        try {
            String ns = platform.namespace;
            for (String bucket : new String[] {ns + "-leases", ns + "-members"}) {
                KeyValue kv = nc.keyValue(bucket);
                StringBuilder b = new StringBuilder("[chaos] " + bucket + ":");
                for (String key : kv.keys()) {
                    var e = kv.get(key);
                    b.append(' ').append(key).append('=').append(e == null ? null : e.getValueAsString()).append('@')
                            .append(e == null ? -1 : e.getRevision());
                }
                System.out.println(b);
                var status = nc.keyValueManagement().getStatus(bucket);
                System.out.println("[chaos] " + bucket + " stream: " + status.getBackingStreamInfo().getStreamState());
            }
            var jsm = nc.jetStreamManagement();
            String events = platform.subjects.eventsStream();
            System.out.println("[chaos] " + events + ": " + jsm.getStreamInfo(events).getStreamState());
            for (ConsumerInfo ci : jsm.getConsumers(events)) {
                System.out.printf("[chaos] consumer %s: pending %d, ack pending %d, waiting pulls %d, delivered %s, "
                        + "ack floor %s%n", ci.getName(), ci.getNumPending(), ci.getNumAckPending(), ci.getNumWaiting(),
                        ci.getDelivered(), ci.getAckFloor());
            }
            for (ServiceProcess g : platform.games) {
                System.out.printf("[chaos] %s: partitions owned %.0f, lost %.0f, acquired %.0f, reaped %.0f%n", g,
                        g.metric("rf_game_partitions_owned"), g.metric("rf_game_partitions_lost_total"),
                        g.metric("rf_game_partitions_acquired_total"), g.metric("rf_game_instances_reaped_total"));
            }
        } catch (Exception e) {
            System.out.println("[chaos] diagnostics failed: " + e);
        }
        ownershipLog(platform.logDir());
    }

    /** Each game instance log's warnings about ownership (lost, reaped, rejoined, ownerless), at most 30 each. */
    static void ownershipLog(Path logDir) {
        try (Stream<Path> logs = Files.list(logDir)) {
            for (Path log : logs.filter(f -> f.getFileName().toString().startsWith("game-")).sorted().toList()) {
                try (Stream<String> lines = Files.lines(log)) {
                    lines.filter(l -> l.contains("\"logger\":\"dev.runeforge.game.ownership.")
                                    && !l.contains("\"level\":\"INFO\""))
                            .limit(30)
                            .forEach(l -> System.out.println("[chaos] " + log.getFileName() + ": "
                                    + l.substring(0, Math.min(l.length(), 400))));
                }
            }
        } catch (IOException | UncheckedIOException e) {
            System.out.println("[chaos] reading the game logs failed: " + e);
        }
    }
}
