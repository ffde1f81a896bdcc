package dev.runeforge.persistence.permalink;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.bus.NatsClients;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.Connection;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamSubscription;
import io.nats.client.Message;
import io.nats.client.PullSubscribeOptions;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Projects the events stream into PostgreSQL through a durable pull consumer (explicit acks): the permalink
 * tables (durable {@code permalinks}), and with another {@link Sink} the event archive and session history
 * (durable {@code archive}). Each projection has its own durable consumer, so one that is stuck (or new, and
 * catching up from the start of the stream) never holds up the other.
 *
 * <p>One batch at a time: its facts are stored in one transaction, and its messages are acked only after that
 * transaction commits. When PostgreSQL does not answer, the batch is retried in place (backing off to 5 s) and
 * its messages are kept ours with "in progress" acks, so JetStream neither redelivers them elsewhere nor
 * delivers later events first; nothing is ever acked unstored. Should a message come back anyway (a crash
 * between commit and ack, a consumer shared by replicas), storing it again changes nothing: every row is keyed
 * by the event's (session, seq) and the roll id.
 *
 * <p>Traced (when tracing is on): each message is a CONSUMER span continuing the trace its headers carry (the game
 * instance's append), ended when it is acked; the batch's transaction is one CLIENT span, a child of the span of
 * the first message with something to store (a roll) and linked to the others' (a batch can hold many actions'
 * events, a span only one parent).
 */
public final class Projector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Projector.class.getName());
    private static final int BATCH = 256;
    /**
     * A fetch returns when its batch is full or this has passed: under light load, how far a projection trails the
     * live session (a replay, a permalink). Shorter costs only idle pull requests (4 a second per projection).
     */
    private static final Duration FETCH_WAIT = Duration.ofMillis(250);
    private static final long MAX_BACKOFF_MS = 5_000;
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");

    private final Connection nc;
    private final Subjects subjects;
    private final String durable;
    private final Duration ackWait;
    private final Sink sink;
    private final String name;
    private final BooleanSupplier schemaReady;
    private final Counter projected;
    private final Counter failures;
    private final Telemetry telemetry;
    private volatile boolean closed;
    private Thread worker;

    /**
     * Stores one batch of event-log messages in one transaction, or throws (the batch is retried as it is).
     * Storing a message again must change nothing. Unreadable messages are skipped (logged), never thrown on.
     */
    @FunctionalInterface
    public interface Sink {
        void store(List<Message> batch) throws Exception;

        /** Whether storing {@code message} writes anything (asked only to place the trace's database span). */
        default boolean stores(Message message) {
            return true;
        }
    }

    public Projector(Connection nc, Subjects subjects, String durable, Duration ackWait, PermalinkStore store,
                     BooleanSupplier schemaReady, MeterRegistry registry) {
        this(nc, subjects, "permalinks", durable, ackWait, permalinks(store), schemaReady, registry);
    }

    /** @param name the projection, for the worker thread and the metrics' {@code projection} tag */
    public Projector(Connection nc, Subjects subjects, String name, String durable, Duration ackWait, Sink sink,
                     BooleanSupplier schemaReady, MeterRegistry registry) {
        this.nc = Objects.requireNonNull(nc);
        this.telemetry = Telemetry.of(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.name = Objects.requireNonNull(name);
        this.durable = Objects.requireNonNull(durable);
        this.ackWait = Objects.requireNonNull(ackWait);
        this.sink = Objects.requireNonNull(sink);
        this.schemaReady = Objects.requireNonNull(schemaReady);
        this.projected = Counter.builder("rf_persistence_events_projected_total").tag("projection", name)
                .description("Event-log messages stored in PostgreSQL and acked").register(registry);
        this.failures = Counter.builder("rf_persistence_projection_failures_total").tag("projection", name)
                .description("Batches that could not be stored (retried)").register(registry);
    }

    /** The permalink facts of a batch (rolls and reveals), stored together. */
    private static Sink permalinks(PermalinkStore store) {
        Objects.requireNonNull(store);
        return new Sink() {
            @Override
            public void store(List<Message> batch) throws Exception {
                List<RollEvents.Fact> facts = new ArrayList<>();
                for (Message m : batch) {
                    facts.addAll(facts(m));
                }
                store.apply(facts);
            }

            @Override
            public boolean stores(Message message) {
                return !facts(message).isEmpty();
            }
        };
    }

    private static List<RollEvents.Fact> facts(Message m) {
        try {
            return RollEvents.of(Json.read(m.getData(), JsonNode.class));
        } catch (IllegalArgumentException e) {
            LOG.warning(() -> "skipping an unreadable event-log message on " + m.getSubject() + ": " + e.getMessage());
            return List.of();
        }
    }

    /**
     * Starts projecting on its own thread: it first ensures the events stream ({@code replicas} copies) and the
     * durable consumer, retrying until NATS answers, so the service starts (and reports readiness) without NATS.
     */
    public Projector start(int replicas) {
        worker = Thread.ofPlatform().name(name + "-projector").daemon().start(() -> {
            JetStreamSubscription sub = subscribeUntilDone(replicas);
            if (sub != null) {
                run(sub);
            }
        });
        return this;
    }

    private JetStreamSubscription subscribeUntilDone(int replicas) {
        long backoff = 250;
        while (!closed) {
            try {
                NatsClients.ensureStreams(nc, subjects, replicas);
                return subscribe();
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                long wait = backoff;
                LOG.warning(() -> "cannot open the " + name + " consumer yet, retrying in " + wait + " ms: " + e.getMessage());
                sleep(wait);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
        return null;
    }

    private JetStreamSubscription subscribe() throws IOException, JetStreamApiException {
        nc.jetStreamManagement().addOrUpdateConsumer(subjects.eventsStream(), ConsumerConfiguration.builder()
                .durable(durable)
                .filterSubject(subjects.eventsAll())
                .deliverPolicy(DeliverPolicy.All)
                .ackPolicy(AckPolicy.Explicit)
                .ackWait(ackWait)
                // Never give up on an event: a database outage of any length must not drop a permalink.
                .maxDeliver(-1)
                .maxAckPending(4 * BATCH)
                .build());
        return nc.jetStream().subscribe(null, PullSubscribeOptions.bind(subjects.eventsStream(), durable));
    }

    private void run(JetStreamSubscription sub) {
        while (!closed && !schemaReady.getAsBoolean()) {
            sleep(200);
        }
        while (!closed) {
            List<Message> batch;
            try {
                batch = sub.fetch(BATCH, FETCH_WAIT);
            } catch (RuntimeException e) {
                // NATS is reconnecting, or the subscription is closing.
                if (!closed) {
                    LOG.log(Level.FINE, "fetch failed", e);
                    sleep(500);
                }
                continue;
            }
            if (batch.isEmpty()) {
                continue;
            }
            List<Span> traced = consumed(batch);
            boolean stored;
            Span transaction = transaction(batch, traced);
            try (Scope scope = transaction.makeCurrent()) {
                stored = storeUntilDone(batch);
            } finally {
                transaction.end();
            }
            if (stored) {
                batch.forEach(Message::ack);
                projected.increment(batch.size());
            }
            traced.forEach(Span::end);
            if (!stored) {
                return;
            }
        }
    }

    /** One CONSUMER span per message, under the context it carries; none when tracing is off. */
    private List<Span> consumed(List<Message> batch) {
        if (!telemetry.enabled()) {
            return List.of();
        }
        List<Span> spans = new ArrayList<>(batch.size());
        for (Message m : batch) {
            spans.add(telemetry.consumer("process rf.evt", m.getSubject(), m.getHeaders())
                    .setAttribute(Telemetry.BATCH_COUNT, (long) batch.size()));
        }
        return spans;
    }

    /**
     * The batch's database transaction: under the span of the first message the sink stores something of (so a
     * roll's trace reaches the database), linked to the other messages' spans.
     */
    private Span transaction(List<Message> batch, List<Span> consumed) {
        if (consumed.isEmpty()) {
            return Span.getInvalid();
        }
        int parent = 0;
        while (parent < batch.size() - 1 && !sink.stores(batch.get(parent))) {
            parent++;
        }
        SpanBuilder span = telemetry.span("store " + name, SpanKind.CLIENT, Context.current().with(consumed.get(parent)))
                .setAttribute(DB_SYSTEM, "postgresql");
        for (int i = 0; i < consumed.size(); i++) {
            if (i != parent) {
                span.addLink(consumed.get(i).getSpanContext());
            }
        }
        return span.startSpan();
    }

    /** True once stored; false when closed first (the batch is left unacked, to be redelivered). */
    private boolean storeUntilDone(List<Message> batch) {
        long backoff = 250;
        long lastProgress = System.nanoTime();
        while (!closed) {
            try {
                sink.store(batch);
                return true;
            } catch (Exception e) {
                failures.increment();
                long wait = backoff;
                LOG.warning(() -> "storing " + batch.size() + " events (" + name + ") failed, retrying in " + wait
                        + " ms: " + e.getMessage());
                sleep(wait);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
                if (System.nanoTime() - lastProgress > ackWait.toNanos() / 3) {
                    // Still ours: restart each message's ack wait so JetStream does not hand it out again.
                    batch.forEach(Message::inProgress);
                    lastProgress = System.nanoTime();
                }
            }
        }
        return false;
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops after the batch in hand (stored and acked, or left for redelivery). */
    @Override
    public void close() {
        closed = true;
        Thread w = worker;
        if (w != null) {
            try {
                w.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
