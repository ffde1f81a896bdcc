package dev.runeforge.common.bus;

/** NATS header names Rune Forge sets on its own messages. */
public final class BusHeaders {
    /** On a message for one player: the gateway connection whose action it answers (others of that player ignore it). */
    public static final String ORIGIN = "Rf-Origin";

    /**
     * On a stored commit ({@code <ns>.evt.<session>}): the session's game id, so a reader of the log needs no game's
     * classes to tell sessions apart.
     */
    public static final String GAME = "Rf-Game";

    /**
     * On a stored commit, only when some event of it counts towards players' statistics: JSON
     * {@code {"<seq>": {"<player>": {"<counter>": n}}}}, what {@code GameRules.tally} gave for each event (keyed by
     * the event's session sequence number). persistence-service adds it to {@code player_stats} exactly once.
     */
    public static final String TALLY = "Rf-Tally";

    /**
     * On a stored commit, only when it changed who is in the session, who hosts it, who is barred or whether it
     * is closed: the {@code SessionSummary} after it, as JSON. persistence-service builds session history from
     * it (the same summary the game instance writes to the sessions KV bucket).
     */
    public static final String SESSION = "Rf-Session";

    // Header values are printable ASCII (NATS): the JSON in TALLY and SESSION escapes everything else (backslash-u escapes).

    private BusHeaders() {
    }
}
