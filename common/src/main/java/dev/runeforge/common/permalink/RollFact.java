package dev.runeforge.common.permalink;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * What one stored event means for roll permalinks, as its game declared it: a roll that has (or may get) a public
 * permalink, or the reveal of a hidden one. The game instance puts it on the commit ({@code Rf-Rolls}, see
 * {@code EventsStream}); persistence-service stores it knowing no game. A game without rolls declares none.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "fact")
@JsonSubTypes({
        @JsonSubTypes.Type(value = RollFact.Rolled.class, name = "rolled"),
        @JsonSubTypes.Type(value = RollFact.Revealed.class, name = "revealed"),
})
public sealed interface RollFact {
    /** The roll's id: it names the permalink. */
    String id();

    /**
     * A roll everyone may see ({@code hidden} false), or a secret one ({@code hidden} true) to be served once
     * revealed. A roll that can never be public (to the DM or to oneself) is not declared at all. The fields are
     * those of {@link PublicRoll} (docs/protocol.md, Permalinks); {@code at} is when it was rolled (epoch ms).
     */
    record Rolled(String id, String name, String formula, List<PublicRoll.Term> terms, int modifier, int total,
                  Integer dc, Boolean passed, boolean hidden, long at, String label, String advantage)
            implements RollFact {
        public Rolled {
            if (!PublicRoll.validId(id)) {
                throw new IllegalArgumentException("not a roll id: " + id);
            }
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(formula, "formula");
            terms = List.copyOf(Objects.requireNonNull(terms, "terms"));
            if ((dc == null) != (passed == null)) {
                throw new IllegalArgumentException("dc and passed come together");
            }
            if (advantage != null && !advantage.equals("advantage") && !advantage.equals("disadvantage")) {
                throw new IllegalArgumentException("advantage is 'advantage' or 'disadvantage'");
            }
        }
    }

    /** The hidden roll {@code id} was made public at {@code at} (epoch ms). */
    record Revealed(String id, long at) implements RollFact {
        public Revealed {
            if (!PublicRoll.validId(id)) {
                throw new IllegalArgumentException("not a roll id: " + id);
            }
        }
    }
}
