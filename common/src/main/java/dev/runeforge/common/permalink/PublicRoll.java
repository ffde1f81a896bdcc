package dev.runeforge.common.permalink;

import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.runeforge.common.json.Json;

/**
 * A roll as its permalink shows it and as it is signed (docs/protocol.md, Permalinks). No room code and no player
 * id: {@code room} is an opaque digest of the session, so rolls of one room can be told apart from others'
 * without revealing how to join it. {@code v} is the version of this field set; the signature covers
 * {@link #canonical()}, the RFC 8785 form of exactly this record's JSON.
 *
 * <p>Version 2 adds {@code label} (what the roll was for, "Stealth") and {@code advantage} ({@code advantage} or
 * {@code disadvantage}: {@code formula} is then what the player asked for, {@code 1d20+5}, and the term holds both
 * d20s), each left out when there is none. A version 1 roll has neither.
 */
public record PublicRoll(int v, String id, String room, String name, String formula, List<Term> terms, int modifier,
                         int total, Integer dc, Boolean passed, boolean hidden, long rolledAt, Long revealedAt,
                         String label, String advantage) {
    public static final int VERSION = 2;
    /** Roll ids are 12 random bytes in base64url: 16 characters. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{16}");

    public PublicRoll {
        if (v != 1 && v != VERSION) {
            throw new IllegalArgumentException("unknown roll version " + v);
        }
        if (v == 1 && (label != null || advantage != null)) {
            throw new IllegalArgumentException("a version 1 roll has no label or advantage");
        }
        if (advantage != null && !advantage.equals("advantage") && !advantage.equals("disadvantage")) {
            throw new IllegalArgumentException("advantage is 'advantage' or 'disadvantage'");
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("a roll id is 16 base64url characters");
        }
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(formula, "formula");
        terms = List.copyOf(Objects.requireNonNull(terms, "terms"));
        if (hidden && revealedAt == null) {
            throw new IllegalArgumentException("a hidden roll is public only once revealed");
        }
        if ((dc == null) != (passed == null)) {
            throw new IllegalArgumentException("dc and passed come together");
        }
    }

    /** A version 1 roll (no label, no advantage). */
    public PublicRoll(int v, String id, String room, String name, String formula, List<Term> terms, int modifier,
                      int total, Integer dc, Boolean passed, boolean hidden, long rolledAt, Long revealedAt) {
        this(v, id, room, name, formula, terms, modifier, total, dc, passed, hidden, rolledAt, revealedAt, null, null);
    }

    public static boolean validId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    /** One dice term; {@code subtotal} is {@code sign} times the sum of the kept dice. */
    public record Term(int sign, int count, int sides, String notation, List<Die> dice, int subtotal) {
        public Term {
            Objects.requireNonNull(notation, "notation");
            dice = List.copyOf(Objects.requireNonNull(dice, "dice"));
        }
    }

    /** One die as it came up: kept or dropped, and whether it exploded (drew the die after it). */
    public record Die(int value, boolean kept, boolean exploded) {
    }

    public JsonNode json() {
        return Json.tree(this);
    }

    /** The bytes the detached JWS signs. */
    public byte[] canonical() {
        return Canonical.bytes(json());
    }

    /** Reads a roll back from its JSON (unknown members ignored, the record's checks applied). */
    public static PublicRoll of(JsonNode json) {
        if (!(json instanceof ObjectNode)) {
            throw new IllegalArgumentException("a roll is a JSON object");
        }
        return Json.convert(json, PublicRoll.class);
    }
}
