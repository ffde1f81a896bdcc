package dev.runeforge.game.engine;

/**
 * Who looks: a player; {@link #PUBLIC}, any member of the session with no private knowledge (what the session's
 * shared subject carries); or {@link #OUTSIDER}, someone who is not in the session at all (a finished session's
 * public replay). An outsider sees what any member sees except what members say among themselves (chat).
 */
public record Viewer(String player, boolean outsider) {
    public static final Viewer PUBLIC = new Viewer(null, false);
    public static final Viewer OUTSIDER = new Viewer(null, true);

    public Viewer {
        if (outsider && player != null) {
            throw new IllegalArgumentException("an outsider is nobody in particular");
        }
    }

    public static Viewer of(String player) {
        return new Viewer(player, false);
    }

    public boolean is(String other) {
        return player != null && player.equals(other);
    }
}
