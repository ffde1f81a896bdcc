package dev.runeforge.common.save;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;

/**
 * Saved encounters on the bus ({@code <ns>.db.saves.*}, persistence-service): each player has {@link #SLOTS}
 * slots, each holding a name, a game id and that game's create settings ({@code data}), opaque to the platform:
 * the game validates them when a session is created from the save. Validation here is the platform's only:
 * slot range, name, game id shape, data an object of bounded size.
 */
public final class Saves {
    public static final int SLOTS = 10;
    public static final int MAX_NAME = 64;
    /** Encoded size of {@code data}: a scenario fits many times over; a runaway client does not. */
    public static final int MAX_DATA_BYTES = 256 * 1024;
    /** Game ids as the games register them (lower case, digits, '-'). */
    public static final Pattern GAME_ID = Pattern.compile("[a-z][a-z0-9-]{0,31}");

    private Saves() {
    }

    /** {@code list}: whose saves. */
    public record Owner(String player) {
        public Owner {
            requirePlayer(player);
        }
    }

    /** {@code get} and {@code delete}: one slot of one player. */
    public record Slot(String player, int slot) {
        public Slot {
            requirePlayer(player);
            requireSlot(slot);
        }
    }

    /** {@code put}: {@code slot} null means the first free one. */
    public record Put(String player, Integer slot, String name, String game, JsonNode data) {
        public Put {
            requirePlayer(player);
            if (slot != null) {
                requireSlot(slot);
            }
            name = requireName(name);
            requireGame(game);
            requireData(data);
        }
    }

    /** A save; {@code data} is absent in listings. Times are epoch milliseconds. */
    public record Save(int slot, String name, String game, JsonNode data, long created, long updated) {
        public Save {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(game, "game");
        }

        public Save withoutData() {
            return new Save(slot, name, game, null, created, updated);
        }
    }

    public record Listing(List<Save> saves) {
        public Listing {
            saves = saves == null ? List.of() : List.copyOf(saves);
        }
    }

    public static void requireSlot(int slot) {
        if (slot < 1 || slot > SLOTS) {
            throw new IllegalArgumentException("slot must be 1 to " + SLOTS);
        }
    }

    /** The trimmed name: 1 to 64 characters, no control characters. */
    public static String requireName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("name is required");
        }
        String trimmed = name.strip();
        if (trimmed.codePointCount(0, trimmed.length()) > MAX_NAME) {
            throw new IllegalArgumentException("name is longer than " + MAX_NAME + " characters");
        }
        if (trimmed.codePoints().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException("name may not contain control characters");
        }
        return trimmed;
    }

    public static void requireGame(String game) {
        if (game == null || !GAME_ID.matcher(game).matches()) {
            throw new IllegalArgumentException("game must be a game id (lower-case letters, digits and '-')");
        }
    }

    public static void requireData(JsonNode data) {
        if (data == null || !data.isObject()) {
            throw new IllegalArgumentException("data must be a JSON object (the game's create settings)");
        }
        if (Json.bytes(data).length > MAX_DATA_BYTES) {
            throw new IllegalArgumentException("data is larger than " + MAX_DATA_BYTES / 1024 + " KiB");
        }
    }

    private static void requirePlayer(String player) {
        if (player == null || player.isEmpty()) {
            throw new IllegalArgumentException("player is required");
        }
    }
}
