package dev.runeforge.game.ownership;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.Map;

import dev.runeforge.game.ownership.Balance.Move;
import dev.runeforge.game.ownership.Balance.Plan;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** How many partitions an instance should hold: floor(P/N) or ceil(P/N), converging from any start. */
class BalanceTest {
    @Test
    void aLoneInstanceTakesEveryPartition() {
        assertEquals(new Plan(Move.ACQUIRE, 16), Balance.plan("a", Map.of(), 16));
        assertEquals(new Plan(Move.ACQUIRE, 16), Balance.plan("a", Map.of("a", 3), 16));
        assertEquals(new Plan(Move.HOLD, 16), Balance.plan("a", Map.of("a", 16), 16));
    }

    @Test
    void anInstanceAboveTheCeilingGivesBackDownToIt() {
        // 17 over 3: floor 5, ceil 6.
        assertEquals(new Plan(Move.RELEASE, 6), Balance.plan("a", Map.of("a", 7, "b", 5, "c", 5), 17));
        assertEquals(new Plan(Move.RELEASE, 5), Balance.plan("a", Map.of("a", 10, "b", 6, "c", 0), 16),
                "down to the floor while another starves");
    }

    @Test
    void atTheCeilingItGivesBackToTheFloorOnlyWhileSomeoneElseIsBelowTheFloor() {
        // 16 over 3: floor 5, ceil 6.
        assertEquals(new Plan(Move.RELEASE, 5), Balance.plan("a", Map.of("a", 6, "b", 6, "c", 4), 16));
        assertEquals(new Plan(Move.HOLD, 6), Balance.plan("a", Map.of("a", 6, "b", 5, "c", 5), 16));
        assertEquals(new Plan(Move.HOLD, 5), Balance.plan("a", Map.of("a", 5, "b", 7, "c", 4), 16),
                "at the floor it holds while another starves");
    }

    @Test
    void belowItsTargetItTakesFreePartitions() {
        assertEquals(new Plan(Move.ACQUIRE, 6), Balance.plan("c", Map.of("a", 5, "b", 5, "c", 4), 16));
        assertEquals(new Plan(Move.ACQUIRE, 5), Balance.plan("c", Map.of("a", 6, "b", 1, "c", 4), 16));
        assertEquals(new Plan(Move.ACQUIRE, 6), Balance.plan("new", Map.of("a", 8, "b", 8, "new", 0), 16),
                "itself below the floor does not count as someone else starving");
    }

    @Test
    void evenlySplitPartitionsHaveOneTargetForAll() {
        assertEquals(new Plan(Move.HOLD, 4), Balance.plan("a", Map.of("a", 4, "b", 4, "c", 4, "d", 4), 16));
    }

    /** Property: instances that each follow their own plan, one step at a time, end at floor or ceil and own all. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233})
    void instancesFollowingThePlanConvergeToAnEvenSplit(long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int partitions = 1 + rnd.nextInt(64);
        int n = 1 + rnd.nextInt(6);
        Map<String, Integer> owned = new HashMap<>();
        int free = partitions;
        for (int i = 0; i < n; i++) {
            int take = free == 0 ? 0 : rnd.nextInt(free + 1);
            owned.put("i" + i, take);
            free -= take;
        }
        for (int round = 0; round < 50 * (partitions + n); round++) {
            String me = "i" + rnd.nextInt(n);
            Plan plan = Balance.plan(me, owned, partitions);
            int mine = owned.get(me);
            switch (plan.move()) {
                case RELEASE -> {
                    owned.put(me, mine - 1);
                    free++;
                }
                case ACQUIRE -> {
                    if (free > 0) {
                        owned.put(me, mine + 1);
                        free--;
                    }
                }
                case HOLD -> {
                }
            }
        }
        int floor = partitions / n;
        int ceil = (partitions + n - 1) / n;
        assertEquals(0, free, "seed " + seed);
        for (int held : owned.values()) {
            org.junit.jupiter.api.Assertions.assertTrue(held == floor || held == ceil, "seed " + seed + ": " + owned);
        }
    }
}
