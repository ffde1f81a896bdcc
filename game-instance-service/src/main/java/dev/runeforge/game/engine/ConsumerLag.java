package dev.runeforge.game.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;

/**
 * {@code rf_game_consumer_pending_messages{partition}}: how many actions wait in each partition consumer this
 * instance runs, as last sampled. A partition no longer run drops out of the gauge; one whose count cannot be read
 * this time is left out until the next sample (its consumer is being re-created in a takeover).
 */
final class ConsumerLag {
    private static final Logger LOG = Logger.getLogger(ConsumerLag.class.getName());
    static final String NAME = "rf_game_consumer_pending_messages";

    /** Where the counts come from: JetStream's consumer info in production, a map in tests. */
    interface Pending {
        long of(int partition) throws Exception;
    }

    private final Supplier<? extends Iterable<Integer>> running;
    private final Pending pending;
    private final MultiGauge gauge;

    ConsumerLag(Supplier<? extends Iterable<Integer>> running, Pending pending, MeterRegistry registry) {
        this.running = Objects.requireNonNull(running);
        this.pending = Objects.requireNonNull(pending);
        this.gauge = MultiGauge.builder(NAME)
                .description("Actions waiting in the partition consumers this instance owns (sampled)")
                .register(registry);
    }

    /** One sample: one count per running partition. */
    void sample() {
        List<MultiGauge.Row<?>> rows = new ArrayList<>();
        for (int partition : running.get()) {
            try {
                rows.add(MultiGauge.Row.of(Tags.of("partition", Integer.toString(partition)), pending.of(partition)));
            } catch (Exception e) {
                LOG.log(Level.FINE, "partition " + partition + ": no pending count this time", e);
            }
        }
        gauge.register(rows, true);
    }
}
