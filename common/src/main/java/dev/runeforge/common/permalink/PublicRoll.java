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
 */
public record PublicRoll(int v, String id, String room, String name, String formula, List<Term> terms, int modifier,
                         int total, Integer dc, Boolean passed, boolean hidden, long rolledAt, Long revealedAt) {
    public static final int VERSION = 1;
    /** Roll ids are 12 random bytes in base64url: 16 characters. */
    public static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{16}");

    public PublicRoll {
        if (v != VERSION) {
            throw new IllegalArgumentException("unknown roll version " + v);
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
