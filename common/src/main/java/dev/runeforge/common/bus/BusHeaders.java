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
     * On a stored commit, only when some event of it declared a roll fact: JSON {@code {"<seq>": RollFact}}, what the
     * game declared for each event (keyed by its session sequence number), {@code {"fact": "rolled", ...}} or
     * {@code {"fact": "revealed", "id", "at"}}. persistence-service stores the rolls' permalinks from it, knowing no
     * game. Commits from before it existed have no {@code v} in their JSON ({@code EventsStream}).
     */
    public static final String ROLLS = "Rf-Rolls";

    /**
     * On a stored commit, only when it changed who is in the session, who hosts it, who is barred or whether it
     * is closed: the {@code SessionSummary} after it, as JSON. persistence-service builds session history from
     * it (the same summary the game instance writes to the sessions KV bucket).
     */
    public static final String SESSION = "Rf-Session";

    /**
     * On a view ({@code <ns>.out.<session>.…}): the server message's {@code type} ({@code event}, {@code left}, …),
     * so a gateway routes it without parsing its JSON.
     */
    public static final String TYPE = "Rf-Type";

    /** On a view of type {@code event}: its session sequence number. */
    public static final String SEQ = "Rf-Seq";

    /** On an action's reply: what became of it ({@code ActionReply.Outcome}). */
    public static final String OUTCOME = "Rf-Outcome";

    /**
     * On an action's reply: the frames of its body, in order, each {@code type} or {@code type:seq} (for
     * {@code event} and {@code joined}), space-separated; the body holds the frames' JSON, one per line.
     */
    public static final String FRAMES = "Rf-Frames";

    // Header values are printable ASCII (NATS): the JSON in TALLY, ROLLS and SESSION escapes everything else
    // (backslash-u escapes).

    private BusHeaders() {
    }
}
