package dev.runeforge.game.engine;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

import dev.runeforge.common.bus.Subjects;
import dev.runeforge.common.telemetry.Telemetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.nats.client.ConsumeOptions;
import io.nats.client.Connection;
import io.nats.client.ConsumerContext;
import io.nats.client.IterableConsumer;
import io.nats.client.JetStreamApiException;
import io.nats.client.Message;
import io.nats.client.StreamContext;
import io.nats.client.api.AckPolicy;
import io.nats.client.api.ConsumerConfiguration;
import io.nats.client.api.DeliverPolicy;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;

/**
 * The partitions this instance works on: one durable pull consumer per partition ({@code act-<p>} on
 * {@code rf.act.<p>.>}), drained by its own virtual thread, one action in flight at a time (max ack pending 1),
 * which keeps every session's actions in order, also across redeliveries.
 *
 * <p>Starting a partition re-creates its consumer. The actions stream is a work queue, so acked actions are
 * gone and a fresh consumer delivers exactly the un-acked ones at once: whatever a dead or stopped owner had in
 * flight comes back now instead of after the ack wait, and the old owner's pending pull requests die with the
 * old consumer.
 *
 * <p>Each action is handled inside a CONSUMER span continuing the trace its headers carry (the gateway's publish).
 */
public final class PartitionConsumers implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PartitionConsumers.class.getName());
    private static final AttributeKey<Long> PARTITION = AttributeKey.longKey("rf.partition");
    /**
     * How long one pull request waits for a message before it is renewed. Long on purpose: measured here (NATS
     * 2.9, max ack pending 1), renewing every second left a partition without a pull request for about 2 s
     * now and then (until the client's heartbeat alarm), and one-message fetches lost a delivery to a fetch
     * that had just ended (5 s, the ack wait). A long pull has neither problem; stopping does not wait for it.
     */
    static final Duration PULL_EXPIRY = Duration.ofSeconds(30);

    private final Connection nc;
    private final Subjects subjects;
    private final ActionHandler handler;
    private final Duration ackWait;
    private final Telemetry telemetry;
    private final Map<Integer, Worker> workers = new ConcurrentHashMap<>();
    private volatile StreamContext stream;
    private volatile ScheduledExecutorService lagSampler;

    public PartitionConsumers(Connection nc, Subjects subjects, ActionHandler handler, Duration ackWait) {
        this.nc = nc;
        this.subjects = subjects;
        this.handler = handler;
        this.ackWait = ackWait;
        this.telemetry = Telemetry.of(nc);
    }

    /** Starts consuming {@code partition} on a fresh consumer: its owner's way in. */
    public void start(int partition) throws IOException, JetStreamApiException {
        start(partition, true);
    }

    private void start(int partition, boolean fresh) throws IOException, JetStreamApiException {
        if (workers.containsKey(partition)) {
            return;
        }
        String name = subjects.partitionConsumer(partition);
        if (fresh) {
            try {
                nc.jetStreamManagement().deleteConsumer(subjects.actionsStream(), name);
            } catch (JetStreamApiException e) {
                // 10014: consumer not found, the first start of this partition.
                if (e.getApiErrorCode() != 10014) {
                    throw e;
                }
            }
        }
        ConsumerContext consumer = stream().createOrUpdateConsumer(ConsumerConfiguration.builder()
                .durable(name)
                .filterSubject(subjects.actionsOfPartition(partition))
                .ackPolicy(AckPolicy.Explicit)
                .deliverPolicy(DeliverPolicy.All)
                .ackWait(ackWait)
                .maxAckPending(1)
                .build());
        IterableConsumer iterator = consumer.iterate(ConsumeOptions.builder().expiresIn(PULL_EXPIRY.toMillis()).build());
        Worker worker = new Worker(partition, iterator);
        workers.put(partition, worker);
        worker.thread = Thread.ofVirtual().name("partition-" + partition).start(worker::drain);
    }

    /** The actions stream, looked up once (each lookup is a round trip). */
    private StreamContext stream() throws IOException, JetStreamApiException {
        StreamContext s = stream;
        if (s == null) {
            s = nc.getStreamContext(subjects.actionsStream());
            stream = s;
        }
        return s;
    }

    /** Stops consuming {@code partition} and waits for the action in hand to finish (acked or left un-acked). */
    public void stop(int partition) {
        Worker worker = workers.remove(partition);
        if (worker != null) {
            worker.stop();
        }
    }

    /**
     * Starts every partition on the existing consumers, without leases: for a single instance. Tests run two
     * this way to make rival writers.
     */
    public void startAll(int partitionCount) throws IOException, JetStreamApiException {
        for (int p = 0; p < partitionCount; p++) {
            start(p, false);
        }
    }

    /**
     * Samples, every {@code every}, how many actions wait in each running partition's consumer (its num pending)
     * into {@code rf_game_consumer_pending_messages{partition}} ({@link ConsumerLag}): one consumer-info request per
     * partition on a thread of its own, never on the action path.
     */
    public PartitionConsumers measureLag(MeterRegistry registry, Duration every) {
        ConsumerLag lag = new ConsumerLag(workers::keySet, partition -> nc.jetStreamManagement()
                .getConsumerInfo(subjects.actionsStream(), subjects.partitionConsumer(partition)).getNumPending(),
                registry);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofPlatform().name("consumer-lag").daemon().factory());
        lagSampler = sampler;
        sampler.scheduleWithFixedDelay(lag::sample, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    public int running() {
        return workers.size();
    }

    @Override
    public void close() {
        ScheduledExecutorService sampler = lagSampler;
        if (sampler != null) {
            sampler.shutdownNow();
        }
        workers.keySet().forEach(this::stop);
    }

    private final class Worker {
        private final int partition;
        private final IterableConsumer iterator;
        private volatile boolean running = true;
        private Thread thread;

        Worker(int partition, IterableConsumer iterator) {
            this.partition = partition;
            this.iterator = iterator;
        }

        void drain() {
            while (running) {
                Message msg;
                try {
                    msg = iterator.nextMessage(Duration.ofMillis(250));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Exception e) {
                    if (!running) {
                        return;
                    }
                    LOG.log(Level.WARNING, "partition " + partition + ": fetch failed", e);
                    pause();
                    continue;
                }
                if (msg != null) {
                    if (!running) {
                        return; // not ours to handle any more; it stays un-acked for the next owner
                    }
                    Span span = telemetry.consumer("process rf.act", msg.getSubject(), msg.getHeaders())
                            .setAttribute(PARTITION, (long) partition);
                    try (Scope scope = span.makeCurrent()) {
                        handler.handle(msg);
                    } finally {
                        span.end();
                    }
                }
            }
        }

        void stop() {
            running = false;
            try {
                iterator.stop();
            } catch (RuntimeException e) {
                LOG.log(Level.FINE, "stopping consumer", e);
            }
            try {
                if (thread != null && !thread.join(Duration.ofSeconds(10))) {
                    LOG.warning("partition " + partition + " worker did not stop within 10 s");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private void pause() {
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
