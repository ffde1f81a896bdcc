package dev.runeforge.architecture.offender;

import io.nats.client.Connection;

/** A deliberate offender for {@code IoFreeTest}: "pure" code that reaches the bus. Never used outside that test. */
final class PublishesOnNats {
    private PublishesOnNats() {
    }

    static void publish(Connection nats) {
        nats.publish("rf.test", new byte[0]);
    }
}
