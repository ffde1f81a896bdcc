package dev.runeforge.game.ownership;

import java.util.Map;

/**
 * How many partitions an instance should hold, from what every live instance says it holds. Pure. With P
 * partitions and N instances everyone converges to floor(P/N) or ceil(P/N): an instance above ceil gives
 * back what is above; at ceil it gives back down to floor while someone is below floor; below its target it
 * takes free ones.
 */
public final class Balance {
    private Balance() {
    }

    public enum Move { ACQUIRE, RELEASE, HOLD }

    public record Plan(Move move, int target) {
    }

    /**
     * @param me      this instance's id
     * @param owned   partitions each live instance holds (this one included, with its current count)
     */
    public static Plan plan(String me, Map<String, Integer> owned, int partitions) {
        int n = Math.max(1, owned.size());
        int floor = partitions / n;
        int ceil = (partitions + n - 1) / n;
        int mine = owned.getOrDefault(me, 0);
        boolean someoneStarving = owned.entrySet().stream()
                .anyMatch(e -> !e.getKey().equals(me) && e.getValue() < floor);
        if (mine > ceil || (someoneStarving && mine > floor)) {
            return new Plan(Move.RELEASE, someoneStarving ? floor : ceil);
        }
        int target = someoneStarving ? floor : ceil;
        return mine < target ? new Plan(Move.ACQUIRE, target) : new Plan(Move.HOLD, target);
    }
}
