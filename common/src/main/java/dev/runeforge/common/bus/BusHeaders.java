package dev.runeforge.common.bus;

/** NATS header names Rune Forge sets on its own messages. */
public final class BusHeaders {
    /** On a message for one player: the gateway connection whose action it answers (others of that player ignore it). */
    public static final String ORIGIN = "Rf-Origin";

    private BusHeaders() {
    }
}
