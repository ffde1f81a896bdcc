package dev.runeforge.game.engine;

/** Who looks: a player, or {@link #PUBLIC} (anyone in the room, no private knowledge). */
public record Viewer(String player) {
    public static final Viewer PUBLIC = new Viewer(null);

    public static Viewer of(String player) {
        return new Viewer(player);
    }

    public boolean is(String other) {
        return player != null && player.equals(other);
    }
}
