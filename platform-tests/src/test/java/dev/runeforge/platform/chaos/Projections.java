package dev.runeforge.platform.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * What persistence-service projected from the event log, compared with the log itself (as {@link RollingRooms#verify}
 * read it): the event archive ({@code session_events}: one row per event) and the roll permalinks
 * ({@code roll_permalinks}: one per roll event).
 */
final class Projections {
    record Missing(long events, long permalinks, long extra) {
        boolean none() {
            return events == 0 && permalinks == 0 && extra == 0;
        }

        @Override
        public String toString() {
            return String.format("archive events missing %d, permalinks missing %d, rows beyond the log %d", events,
                    permalinks, extra);
        }
    }

    private Projections() {
    }

    static Missing missing(String jdbcUrl, String user, RollingRooms rooms) throws Exception {
        long events = 0;
        long permalinks = 0;
        long extra = 0;
        try (Connection c = DriverManager.getConnection(jdbcUrl, user, "")) {
            Map<String, long[]> archived = counts(c, "SELECT session, count(*), max(seq) FROM session_events GROUP BY session");
            Map<String, long[]> linked = counts(c, "SELECT session, count(*), max(seq) FROM roll_permalinks GROUP BY session");
            for (var e : rooms.logEnds.entrySet()) {
                long[] a = archived.getOrDefault(e.getKey(), new long[2]);
                events += Math.max(0, e.getValue() - a[0]);
                extra += Math.max(0, a[0] - e.getValue());
                long rolls = rooms.rollSeqs.get(e.getKey()).size();
                long[] l = linked.getOrDefault(e.getKey(), new long[2]);
                permalinks += Math.max(0, rolls - l[0]);
                extra += Math.max(0, l[0] - rolls);
            }
        }
        return new Missing(events, permalinks, extra);
    }

    /** Waits until nothing is missing; returns the time it took (ms), or -1 with what is still missing printed. */
    static long awaitCaughtUp(String jdbcUrl, String user, RollingRooms rooms, Duration limit) throws Exception {
        long start = System.nanoTime();
        Missing m = null;
        while (System.nanoTime() - start < limit.toNanos()) {
            try {
                m = missing(jdbcUrl, user, rooms);
                if (m.none()) {
                    return (System.nanoTime() - start) / 1_000_000;
                }
            } catch (java.sql.SQLException e) {
                // the database is coming back
            }
            Thread.sleep(250);
        }
        System.out.println("[chaos] projections not caught up within " + limit + ": " + m);
        return -1;
    }

    private static Map<String, long[]> counts(Connection c, String sql) throws Exception {
        Map<String, long[]> out = new HashMap<>();
        try (PreparedStatement st = c.prepareStatement(sql); ResultSet rs = st.executeQuery()) {
            while (rs.next()) {
                out.put(rs.getString(1), new long[] {rs.getLong(2), rs.getLong(3)});
            }
        }
        return out;
    }
}
