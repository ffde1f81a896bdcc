package dev.runeforge.game.ownership;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The races found by 20-round kill runs (docs/operations.md): a reaper reads a lease after its compare-and-delete
 * failed, and the watch delivers newer changes before the reader writes what it read into the table.
 */
class LeaseTableTest {
    @Test
    void aReadNamingAnOwnerDoesNotUndoADeleteTheWatchBroughtMeanwhile() {
        LeaseTable table = new LeaseTable();
        table.watched(47, "dead", 5);
        LeaseTable.Lease seen = table.get(47);
        // Read now: a survivor took it (revision 7). Before we write that down, the watch brings the take and the
        // survivor giving it back (revision 8): the partition is free, and must look free, or nobody takes it.
        table.watched(47, "survivor", 7);
        table.watched(47, null, 8);
        table.learned(47, seen, "survivor", 7);
        assertNull(table.get(47), "free, as the bucket has it");
    }

    @Test
    void aReadCorrectsAnEntryTheWatchHasNotChangedYet() {
        LeaseTable table = new LeaseTable();
        table.watched(3, "dead", 5);
        LeaseTable.Lease seen = table.get(3);
        table.learned(3, seen, "survivor", 9);
        assertEquals(new LeaseTable.Lease("survivor", 9), table.get(3));
        table.learned(3, table.get(3), "older", 4);
        assertEquals("survivor", table.get(3).owner(), "an older read changes nothing");
        table.watched(3, null, 10);
        assertNull(table.get(3), "only the watch frees an entry");
    }

    @Test
    void aReadOfAPartitionNotInTheTableWaitsForTheWatch() {
        LeaseTable table = new LeaseTable();
        table.learned(5, null, "someone", 3);
        assertNull(table.get(5));
        table.watched(5, "someone", 3);
        assertEquals(1, table.values().size());
        int[] seen = new int[1];
        table.forEach((p, lease) -> seen[0] += p);
        assertEquals(5, seen[0]);
    }

    /**
     * What an instance whose member entry lapsed keeps (PartitionManager#rejoin): the watch decides, so a stale read
     * of the bucket (a replica still catching up after a restart) cannot make it give up a lease it holds.
     */
    @Test
    void aLeaseStillHeldIsWhatTheWatchShows() {
        LeaseTable table = new LeaseTable();
        table.watched(1, "me", 10);
        assertTrue(table.stillHeld(1, "me", 10), "the watch shows it ours at the revision we took it");
        assertTrue(table.stillHeld(2, "me", 11), "the watch has not brought our create yet");
        table.watched(3, "before", 4);
        assertTrue(table.stillHeld(3, "me", 12), "the watch shows only what came before our create");
        table.watched(4, "other", 14);
        assertFalse(table.stillHeld(4, "me", 13), "someone took it after us");
        table.watched(5, "me", 15);
        assertFalse(table.stillHeld(5, "me", 9), "a lease of ours, but not the one we hold: ours was deleted since");
    }
}
