-- Issue 18: a roll's label ("Stealth") and the player's advantage or disadvantage, shown on its permalink (signed
-- as a version 2 roll). Both null for rolls stored before, and for rolls without them.
ALTER TABLE roll_permalinks
    ADD COLUMN label     text,
    ADD COLUMN advantage text CHECK (advantage IN ('advantage', 'disadvantage'));
