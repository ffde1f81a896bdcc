package dev.runeforge.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import java.sql.DriverManager;
import java.time.Duration;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.testsupport.TestPostgres;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;

/** What the projection tests wait for and read: a durable consumer that has caught up, a row count. */
final class Projections {
    private Projections() {
    }

    /** Until the events stream's durable consumer {@code durable} has nothing pending or unacked. */
    static void awaitCaughtUp(Connection nc, Subjects subjects, String durable, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                var info = nc.jetStreamManagement().getConsumerInfo(subjects.eventsStream(), durable);
                if (info.getNumPending() == 0 && info.getNumAckPending() == 0) {
                    return;
                }
            } catch (JetStreamApiException e) {
                // not created yet
            }
            Thread.sleep(50);
        }
        fail("the " + durable + " projection did not catch up within " + within.toSeconds() + " s");
    }

    /** The single number {@code sql} selects. */
    static long count(TestPostgres.Database database, String sql) throws Exception {
        try (var c = DriverManager.getConnection(database.jdbcUrl(), database.user(), database.password());
             var rs = c.createStatement().executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
