package dev.runeforge.persistence.permalink;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.permalink.PublicRoll;

/**
 * Reads what the permalinks need out of one stored commit ({@code <ns>.evt.<session>}: session, game, code,
 * firstSeq, events). The commit is read as a JSON tree, not as game-instance-service's types: this service
 * depends on the event names and fields of the dice room (docs/protocol.md), not on its code. Events of other
 * types (and of other games) are skipped; so is an event that lacks what a permalink needs, with a warning,
 * because a projection that stopped on one bad event would stop every permalink after it.
 */
public final class RollEvents {
    private static final Logger LOG = Logger.getLogger(RollEvents.class.getName());

    private RollEvents() {
    }

    /** What the projection stores. {@code seq} is the event's place in its session's log. */
    public sealed interface Fact {
        String session();

        long seq();

        String rollId();
    }

    public record Rolled(String session, long seq, String code, String rollId, String name, String formula,
                         List<PublicRoll.Term> terms, int modifier, int total, Integer dc, Boolean passed,
                         boolean hidden, long at) implements Fact {
    }

    public record Revealed(String session, long seq, String rollId, long at) implements Fact {
    }

    public static List<Fact> of(JsonNode commit) {
        List<Fact> facts = new ArrayList<>();
        String session = commit.path("session").asText(null);
        long firstSeq = commit.path("firstSeq").asLong(0);
        JsonNode events = commit.path("events");
        if (session == null || firstSeq < 1 || !events.isArray()) {
            LOG.warning(() -> "skipping a commit without session, firstSeq or events");
            return facts;
        }
        String code = commit.path("code").asText("");
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            long seq = firstSeq + i;
            try {
                switch (event.path("type").asText("")) {
                    case "rolled" -> facts.add(rolled(session, seq, code, event.path("roll")));
                    case "roll_revealed" -> facts.add(new Revealed(session, seq, rollId(event.path("roll")),
                            number(event, "at")));
                    default -> {
                    }
                }
            } catch (IllegalArgumentException e) {
                LOG.warning(() -> "skipping event " + seq + " of session " + session + ": " + e.getMessage());
            }
        }
        return facts;
    }

    private static Rolled rolled(String session, long seq, String code, JsonNode roll) {
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
        return new Rolled(session, seq, code, rollId(roll.path("id")), text(roll, "name"), text(roll, "formula"),
                terms, roll.has("modifier") ? (int) number(roll, "modifier") : 0, (int) number(roll, "total"), dc,
                passed, roll.path("hidden").asBoolean(false), number(roll, "at"));
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
