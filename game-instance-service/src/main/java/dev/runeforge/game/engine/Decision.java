package dev.runeforge.game.engine;

import java.util.List;
import java.util.Objects;

/** What {@code decide} returns: events to store, or a typed refusal that changes nothing. */
public sealed interface Decision<E> {
    record Accept<E>(List<E> events) implements Decision<E> {
        public Accept {
            events = List.copyOf(events);
        }
    }

    /** Changes nothing and answers only the actor with {@code body} (a page of history, say). */
    record Reply<E>(Object body) implements Decision<E> {
        public Reply {
            Objects.requireNonNull(body);
        }
    }

    record Reject<E>(String code, String message) implements Decision<E> {
        public Reject {
            Objects.requireNonNull(code);
            Objects.requireNonNull(message);
        }
    }

    @SafeVarargs
    static <E> Decision<E> accept(E... events) {
        return new Accept<>(List.of(events));
    }

    static <E> Decision<E> reply(Object body) {
        return new Reply<>(body);
    }

    static <E> Decision<E> reject(String code, String message) {
        return new Reject<>(code, message);
    }
}
