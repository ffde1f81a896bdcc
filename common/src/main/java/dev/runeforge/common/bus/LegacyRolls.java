package dev.runeforge.common.bus;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.permalink.PublicRoll;
import dev.runeforge.common.permalink.RollFact;

/**
 * The roll facts of a version-1 commit (stored before games declared their own, issue 19), read the way
 * persistence-service read them then: the dice room's {@code rolled} and {@code roll_revealed} events by name, other
 * events (and games) without any. A roll to the DM or to oneself ({@code mode} {@code dm} or {@code self}) can never
 * be public and has none. An event that lacks what a permalink needs is skipped with a warning, because a projection
 * that stopped on one bad event would stop every permalink after it.
 *
 * <p>Only for the log written before the change: the events stream keeps commits 2 days ({@code ensureStreams}), so
 * this can go once every deployment has run version 2 for longer than that.
 */
final class LegacyRolls {
    private static final Logger LOG = Logger.getLogger(LegacyRolls.class.getName());

    private LegacyRolls() {
    }

    static Map<Long, RollFact> of(Commit commit) {
        Map<Long, RollFact> facts = new LinkedHashMap<>();
        for (int i = 0; i < commit.events().size(); i++) {
            JsonNode event = commit.events().get(i);
            long seq = commit.firstSeq() + i;
            try {
                switch (event.path("type").asText("")) {
                    case "rolled" -> {
                        if (!isPrivate(event.path("roll"))) {
                            facts.put(seq, rolled(event.path("roll")));
                        }
                    }
                    case "roll_revealed" -> facts.put(seq, new RollFact.Revealed(rollId(event.path("roll")),
                            number(event, "at")));
                    default -> {
                    }
                }
            } catch (IllegalArgumentException e) {
                LOG.warning(() -> "no permalink for event " + seq + " of session " + commit.session() + ": "
                        + e.getMessage());
            }
        }
        return facts;
    }

    /** A roll to the DM or to oneself: only a DM's secret roll (or an unmoded hidden one, from before) is revealed. */
    private static boolean isPrivate(JsonNode roll) {
        String mode = roll.path("mode").asText("");
        return mode.equals("dm") || mode.equals("self");
    }

    private static RollFact.Rolled rolled(JsonNode roll) {
        if (!roll.isObject()) {
            throw new IllegalArgumentException("rolled without a roll");
        }
        List<PublicRoll.Term> terms = new ArrayList<>();
        for (JsonNode t : array(roll, "terms")) {
            List<PublicRoll.Die> dice = new ArrayList<>();
            for (JsonNode d : array(t, "dice")) {
                dice.add(new PublicRoll.Die((int) number(d, "value"), d.path("kept").asBoolean(true),
                        d.path("exploded").asBoolean(false)));
            }
            terms.add(new PublicRoll.Term(t.has("sign") ? (int) number(t, "sign") : 1, (int) number(t, "count"),
                    (int) number(t, "sides"), text(t, "notation"), dice, (int) number(t, "subtotal")));
        }
        Integer dc = roll.path("dc").isIntegralNumber() ? roll.path("dc").intValue() : null;
        Boolean passed = dc == null ? null : roll.path("passed").asBoolean();
        String label = roll.path("label").isTextual() ? roll.path("label").textValue() : null;
        String advantage = switch (roll.path("advantage").asText("")) {
            case "advantage" -> "advantage";
            case "disadvantage" -> "disadvantage";
            default -> null;
        };
        return new RollFact.Rolled(rollId(roll.path("id")), text(roll, "name"), text(roll, "formula"), terms,
                roll.has("modifier") ? (int) number(roll, "modifier") : 0, (int) number(roll, "total"), dc, passed,
                roll.path("hidden").asBoolean(false), number(roll, "at"), label, advantage);
    }

    private static String rollId(JsonNode id) {
        if (!id.isTextual() || !PublicRoll.validId(id.textValue())) {
            throw new IllegalArgumentException("not a roll id: " + id);
        }
        return id.textValue();
    }

    private static long number(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isIntegralNumber()) {
            throw new IllegalArgumentException("'" + field + "' is not an integer");
        }
        return v.longValue();
    }

    private static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isTextual()) {
            throw new IllegalArgumentException("'" + field + "' is not a string");
        }
        return v.textValue();
    }

    private static JsonNode array(JsonNode node, String field) {
        JsonNode v = node.path(field);
        if (!v.isArray()) {
            throw new IllegalArgumentException("'" + field + "' is not an array");
        }
        return v;
    }
}
