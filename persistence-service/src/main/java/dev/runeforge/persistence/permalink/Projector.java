package dev.runeforge.persistence.permalink;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.EventsStream;
import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConnectionListener;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.JetStreamManagement;
import io.nats.client.Message;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.ConsumerInfo;
import io.nats.client.api.DeliverPolicy;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;

/**
 * Projects the events stream into PostgreSQL through ONE durable pull consumer ({@code projection.consumer},
 * default {@code projections}): each batch goes to every {@link Sink} (the permalink tables, then the event
 * archive and session history), and is acked once all of them stored it. One consumer, not one per projection:
 * every event is delivered, parsed and acknowledged once instead of once per projection, which was a tenth of
 * the NATS server's work per roll. The price: a projection that is stuck holds up the others (they share the
 * database, so they are stuck together anyway).
 *
 * <p>One batch at a time: its messages are acked only after every sink stored them. When PostgreSQL does not answer, the batch is retried in
 * place (backing off to 5 s) and kept ours with "in progress" acks; max ack pending is one batch, so nothing else
 * is out meanwhile. Nothing is ever acked unstored. Should a message come back anyway (a crash between commit and
 * ack, a consumer shared by replicas), storing it again changes nothing: every row is keyed by the event's
 * (session, seq) and the roll id. A sink that failed after another stored the batch is retried with it; the
 * other stores it again, changing nothing.
 *
 * <p>An earlier deployment had a consumer per projection ({@code permalinks}, {@code archive}): the first start
 * of this one begins where the slower of them had got to, and removes them, so nothing is projected twice and
 * nothing skipped.
 *
 * <p>Traced (when tracing is on): each message is a CONSUMER span continuing the trace its headers carry (the game
 * instance's append), ended when it is acked; each sink's transaction is one CLIENT span, a child of the span of
 * the first message it stores something of (a roll) and linked to the others' (a batch holds many actions' events,
 * a span only one parent).
 */
public final class Projector implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Projector.class.getName());
    private static final int BATCH = 256;
    /**
     * One pull request stays open this long: while nothing happens the projection costs the bus one request
     * (and jnats' idle heartbeats) per this, instead of four a second with short fetches.
     */
    private static final Duration PULL_EXPIRY = Duration.ofSeconds(30);
    /**
     * After the first message of a batch, what else has arrived within this joins it. 25 ms rather than 5: at
     * 1,000 rolls/s a batch (one transaction) holds ~25 events instead of ~5, and the service's CPU fell from 13 to
     * 10 % of a core (docs/performance.md); a permalink is stored at most this much later.
     */
    private static final Duration GATHER = Duration.ofMillis(25);
    private static final long MAX_BACKOFF_MS = 5_000;
    /** Idle this long with events pending: the pull is asked about ({@link #stalled}). */
    private static final Duration STALL_CHECK = Duration.ofSeconds(10);
    /** The durable consumers of the deployments before this one, one per projection. */
    static final List<String> FORMER_CONSUMERS = List.of("permalinks", "archive");
    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system.name");

    /**
     * Stores one batch of commits read from the event log in one transaction, or throws (the batch is retried as it
     * is). Storing a commit again must change nothing. Each message is read once, by the projector, for every sink
     * (unreadable ones are logged and left out).
     */
    @FunctionalInterface
    public interface Sink {
        void store(List<EventsStream.Stored> batch) throws Exception;

        /** Whether storing {@code commit} writes anything (asked only to place the trace's database span). */
        default boolean stores(EventsStream.Stored commit) {
            return true;
        }
    }

    /** A projection: its name (the metrics' {@code projection} tag, the trace's {@code store <name>}) and sink. */
    public record Target(String name, Sink sink) {
        public Target {
            Objects.requireNonNull(name);
            Objects.requireNonNull(sink);
        }
    }

    private final Connection nc;
    private final Subjects subjects;
    private final String durable;
    private final Duration ackWait;
    private final Map<String, Sink> sinks;
    private final Map<String, Counter> projected = new LinkedHashMap<>();
    private final Map<String, Counter> failures = new LinkedHashMap<>();
    private final Counter stalls;
    private final BooleanSupplier schemaReady;
    private final Telemetry telemetry;
    private volatile boolean closed;
    private Thread worker;

    /** @param targets the projections, each batch stored into them in this order */
    public Projector(Connection nc, Subjects subjects, String durable, Duration ackWait, List<Target> targets,
                     BooleanSupplier schemaReady, MeterRegistry registry) {
        this.nc = Objects.requireNonNull(nc);
        this.telemetry = Telemetry.of(nc);
        this.subjects = Objects.requireNonNull(subjects);
        this.durable = Objects.requireNonNull(durable);
        this.ackWait = Objects.requireNonNull(ackWait);
        this.sinks = new LinkedHashMap<>();
        targets.forEach(t -> this.sinks.put(t.name(), t.sink()));
        this.schemaReady = Objects.requireNonNull(schemaReady);
        this.stalls = Counter.builder("rf_persistence_projection_stalls_total")
                .description("Times the projection consumer was opened again because events were pending and none came")
                .register(registry);
        for (String name : this.sinks.keySet()) {
            projected.put(name, Counter.builder("rf_persistence_events_projected_total").tag("projection", name)
                    .description("Event-log messages stored in PostgreSQL and acked").register(registry));
            failures.put(name, Counter.builder("rf_persistence_projection_failures_total").tag("projection", name)
                    .description("Batches that could not be stored (retried)").register(registry));
        }
    }

    /** The permalink facts of a batch (rolls and reveals), stored together. */
    public static Sink permalinks(PermalinkStore store) {
        Objects.requireNonNull(store);
        return new Sink() {
            @Override
            public void store(List<EventsStream.Stored> batch) throws Exception {
                List<PlacedRoll> facts = new ArrayList<>();
                for (EventsStream.Stored commit : batch) {
                    facts.addAll(PlacedRoll.of(commit));
                }
                store.apply(facts);
            }

            @Override
            public boolean stores(EventsStream.Stored commit) {
                return !PlacedRoll.of(commit).isEmpty();
            }
        };
    }

    /**
     * The commits of a batch of messages, each read once for every sink (reading was a third of the service's
     * profile when each sink read each message itself). An unreadable message is logged and left out: it must not
     * stall the projections behind it (it stays in the stream for operators), and it is acked with its batch.
     */
    static List<EventsStream.Stored> read(List<Message> batch) {
        List<EventsStream.Stored> commits = new ArrayList<>(batch.size());
        for (Message m : batch) {
            try {
                commits.add(EventsStream.read(m));
            } catch (RuntimeException e) {
                LOG.warning(() -> "skipping an unreadable event-log message on " + m.getSubject() + ": " + e.getMessage());
            }
        }
        return commits;
    }

    /**
     * Starts projecting on its own thread: it first waits for the events stream (the game instances create it;
     * persistence may only read it) and opens the durable consumer, retrying until NATS answers, so the service
     * starts (and reports readiness) without NATS.
     */
    public Projector start() {
        nc.addConnectionListener(reconnects);
        worker = Thread.ofPlatform().name("projector").daemon().start(() -> {
            while (!closed) {
                resubscribe = false;
                IterableConsumer consumer = subscribeUntilDone();
                if (consumer == null) {
                    return;
                }
                try {
                    if (!run(consumer)) {
                        return;
                    }
                } finally {
                    consumer.stop();
                }
            }
        });
        return this;
    }

    /**
     * Set when NATS comes back: the pull that was open died with the connection, and jnats' consumer does not
     * always ask again by itself. Measured (BusAndDatabaseChaosIT, a single nats-server killed and restarted under
     * load): the durable showed no waiting pull and nothing was projected for the rest of the run. So the
     * projector opens the consumer anew (the durable keeps its position; what was delivered but not acked comes
     * again after the ack wait, and storing it again changes nothing).
     */
    private volatile boolean resubscribe;
    private final ConnectionListener reconnects = (conn, event) -> {
        if (event == ConnectionListener.Events.RESUBSCRIBED) {
            resubscribe = true;
        }
    };

    private IterableConsumer subscribeUntilDone() {
        long backoff = 250;
        while (!closed) {
            try {
                nc.jetStreamManagement().getStreamInfo(subjects.eventsStream());
                IterableConsumer consumer = subscribe();
                LOG.info(() -> "projection: consumer '" + durable + "' open on " + subjects.eventsStream());
                return consumer;
            } catch (IOException | JetStreamApiException | RuntimeException e) {
                long wait = backoff;
                LOG.warning(() -> "cannot open the projection consumer yet, retrying in " + wait + " ms: " + e.getMessage());
                sleep(wait);
                backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
            }
        }
        return null;
    }

    private IterableConsumer subscribe() throws IOException, JetStreamApiException {
        JetStreamManagement jsm = nc.jetStreamManagement();
        ConsumerConfiguration.Builder config = ConsumerConfiguration.builder()
                .durable(durable)
                .filterSubject(subjects.eventsAll())
                // Explicit: every message is acked on its own. (With "all", one cumulative ack per batch, the
                // archive lost an event across a database outage and a restart: redeliveries are not ordered as a
                // cumulative ack assumes.)
                .ackPolicy(AckPolicy.Explicit)
                .ackWait(ackWait)
                // Never give up on an event: a database outage of any length must not drop a permalink.
                .maxDeliver(-1)
                // No more out than the batch in hand: while a batch waits for the database, nothing else is
                // delivered to us whose ack wait could run out unnoticed (in-progress acks keep the batch ours).
                .maxAckPending(BATCH);
        if (exists(jsm, durable)) {
            jsm.addOrUpdateConsumer(subjects.eventsStream(), config.deliverPolicy(DeliverPolicy.All).build());
        } else {
            long from = formerPosition(jsm);
            jsm.addOrUpdateConsumer(subjects.eventsStream(), (from > 0
                    ? config.deliverPolicy(DeliverPolicy.ByStartSequence).startSequence(from)
                    : config.deliverPolicy(DeliverPolicy.All)).build());
            for (String former : FORMER_CONSUMERS) {
                if (!former.equals(durable) && exists(jsm, former)) {
                    jsm.deleteConsumer(subjects.eventsStream(), former);
                    LOG.info(() -> "projection: the former consumer '" + former + "' is replaced by '" + durable + "'");
                }
            }
        }
        return nc.getConsumerContext(subjects.eventsStream(), durable)
                .iterate(ConsumeOptions.builder().batchSize(BATCH).expiresIn(PULL_EXPIRY.toMillis()).build());
    }

    /**
     * Where the former per-projection consumers had got to: the first stream sequence one of them has not acked
     * (the lower of the two), or 0 when there were none (a new deployment starts at the beginning).
     */
    private long formerPosition(JetStreamManagement jsm) throws IOException, JetStreamApiException {
        long from = 0;
        for (String former : FORMER_CONSUMERS) {
            if (!former.equals(durable) && exists(jsm, former)) {
                ConsumerInfo info = jsm.getConsumerInfo(subjects.eventsStream(), former);
                long next = info.getAckFloor().getStreamSequence() + 1;
                from = from == 0 ? next : Math.min(from, next);
            }
        }
        return from;
    }

    private boolean exists(JetStreamManagement jsm, String consumer) throws IOException, JetStreamApiException {
        try {
            jsm.getConsumerInfo(subjects.eventsStream(), consumer);
            return true;
        } catch (JetStreamApiException e) {
            if (e.getApiErrorCode() == 10014) { // consumer not found
                return false;
            }
            throw e;
        }
    }

    /**
     * The next batch: the first message (waiting up to a second for it), then, {@link #GATHER} later, what else has
     * come meanwhile. Slept through rather than waited for message by message: each message that ends a wait wakes
     * this thread, some 800 times a second at 1,000 rolls/s; a sleep wakes it once per batch.
     */
    private static List<Message> next(IterableConsumer consumer) throws Exception {
        Message first = consumer.nextMessage(Duration.ofSeconds(1));
        if (first == null) {
            return List.of();
        }
        List<Message> batch = new ArrayList<>();
        batch.add(first);
        Thread.sleep(GATHER);
        while (batch.size() < BATCH) {
            Message more = consumer.nextMessage(TAKE_WAITING); // what is there already; it waits only when nothing is
            if (more == null) {
                break;
            }
            batch.add(more);
        }
        return batch;
    }

    /** How long taking a message that has already arrived may wait (jnats reads 0 as "forever"). */
    private static final Duration TAKE_WAITING = Duration.ofMillis(1);

    /**
     * Projects until closed (false), or until NATS reconnected or the pull stalled (true: open the consumer again).
     */
    private boolean run(IterableConsumer consumer) {
        while (!closed && !schemaReady.getAsBoolean()) {
            sleep(200);
        }
        long idleSince = System.nanoTime();
        while (!closed) {
            if (resubscribe) {
                return true;
            }
            List<Message> batch;
            try {
                batch = next(consumer);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (Exception e) {
                // NATS is reconnecting, or the consumer is closing.
                if (!closed) {
                    LOG.log(Level.FINE, "reading the consumer failed", e);
                    sleep(500);
                }
                continue;
            }
            if (batch.isEmpty()) {
                if (System.nanoTime() - idleSince > STALL_CHECK.toNanos()) {
                    idleSince = System.nanoTime();
                    if (stalled()) {
                        return true;
                    }
                }
                continue;
            }
            idleSince = System.nanoTime();
            List<Span> traced = consumed(batch);
            List<EventsStream.Stored> commits = read(batch);
            boolean stored = true;
            for (var sink : sinks.entrySet()) {
                Span transaction = transaction(sink.getKey(), sink.getValue(), commits, traced);
                try (Scope scope = transaction.makeCurrent()) {
                    stored = storeUntilDone(sink.getKey(), sink.getValue(), commits, batch);
                } finally {
                    transaction.end();
                }
                if (!stored) {
                    break;
                }
            }
            if (stored) {
                batch.forEach(Message::ack);
                for (Counter c : projected.values()) {
                    c.increment(batch.size());
                }
            }
            traced.forEach(Span::end);
            if (!stored) {
                return false;
            }
        }
        return false;
    }

    /**
     * Whether the consumer has events for us that are not coming: nothing arrived for {@link #STALL_CHECK} while
     * the server counts some pending. Seen once on a 3-node cluster whose first consumer
     * create timed out while the cluster was electing its leaders: the projector opened the consumer on the
     * second try and then received nothing for the rest of the run (1,905 events never archived), as if the open
     * pull had reached no one. Costs one consumer-info request per {@link #STALL_CHECK} of idleness.
     */
    private boolean stalled() {
        try {
            ConsumerInfo info = nc.jetStreamManagement().getConsumerInfo(subjects.eventsStream(), durable);
            if (info.getNumPending() > 0) {
                stalls.increment();
                LOG.warning(() -> "projection: " + info.getNumPending() + " events pending and nothing delivered for "
                        + STALL_CHECK.toSeconds() + " s (" + info.getNumWaiting() + " pulls waiting): opening the consumer again");
                return true;
            }
        } catch (IOException | JetStreamApiException | RuntimeException e) {
            LOG.log(Level.FINE, "asking for the projection consumer's state failed", e);
        }
        return false;
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
     * A sink's database transaction: under the span of the first message it stores something of (so a roll's
     * trace reaches the database), linked to the other messages' spans.
     */
    private Span transaction(String name, Sink sink, List<EventsStream.Stored> commits, List<Span> consumed) {
        if (consumed.isEmpty() || commits.size() != consumed.size()) {
            return Span.getInvalid(); // no tracing, or an unreadable message shifted the batch: no span to pick
        }
        int parent = 0;
        while (parent < commits.size() - 1 && !sink.stores(commits.get(parent))) {
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
    private boolean storeUntilDone(String name, Sink sink, List<EventsStream.Stored> commits, List<Message> batch) {
        long backoff = 250;
        long lastProgress = System.nanoTime();
        while (!closed) {
            try {
                if (!commits.isEmpty()) {
                    sink.store(commits);
                }
                return true;
            } catch (Exception e) {
                failures.get(name).increment();
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
        nc.removeConnectionListener(reconnects);
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
