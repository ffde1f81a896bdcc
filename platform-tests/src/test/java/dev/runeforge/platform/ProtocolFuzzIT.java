package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.game.chat.Chat;
import dev.runeforge.game.dice.DiceRules;
import dev.runeforge.game.tactics.TacticsRules;
import dev.runeforge.gateway.connection.PlayerSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The protocol fuzzed over real sockets: {@value #FRAMES} seeded frames ({@link FrameFuzzer}; the seed is printed,
 * {@code -Drf.fuzz.seed=<seed>} replays a run) over {@value #SOCKETS} sockets of the in-JVM platform, every client
 * message type valid and mutated. Asserted: no stack trace logged by any service, every refusal an error frame with
 * a typed code (the platform's {@link ErrorCodes} or a game's own constants), never INTERNAL, never a message naming
 * Jackson or a Java class; no socket closed by the server; gateway and game instance ready throughout. The per-socket
 * rate and flood limits are lifted (EdgeAttackIT tests those): the fuzz is for what a message says, not how many.
 */
class ProtocolFuzzIT {
    static final int FRAMES = 100_000;
    static final int SOCKETS = 8;
    /** Frames sent before the sender waits for the gateway to catch up (a ping's pong), so nothing piles up. */
    private static final int WINDOW = 250;
    private static final long SEED = Long.getLong("rf.fuzz.seed", 16_2026L);
    private static Platform platform;
    private static final List<LogRecord> TRACES = new CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.INFO.intValue()
                    && (r.getThrown() != null || r.getLevel().intValue() >= Level.SEVERE.intValue())) {
                TRACES.add(r);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("").addHandler(CAPTURE);
        platform = new Platform(Map.of(
                "gateway.rate.burst", "1000000",
                "gateway.rate.refill", "1000000",
                "gateway.flood.refusals", "1000000",
                "gateway.join.misses", "1000000"));
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(CAPTURE);
        if (platform != null) {
            platform.close();
        }
    }

    /** Every code a refusal may carry: the platform's and each game's constants. */
    private static Set<String> typedCodes() throws IllegalAccessException {
        Set<String> codes = new HashSet<>();
        for (Class<?> c : List.of(ErrorCodes.class, DiceRules.class, TacticsRules.class, Chat.class, PlayerSocket.class)) {
            for (Field f : c.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) && Modifier.isFinal(m) && Modifier.isPublic(m) && f.getType() == String.class) {
                    String v = (String) f.get(null);
                    if (v.matches("[A-Z][A-Z_]+")) {
                        codes.add(v);
                    }
                }
            }
        }
        return codes;
    }

    @Test
    void hundredThousandGeneratedFramesAreAnsweredWithTypedErrorsOnly() throws Exception {
        System.out.println("ProtocolFuzzIT seed " + SEED + " (-Drf.fuzz.seed=" + SEED + " replays it)");
        Set<String> typed = typedCodes();
        Map<String, LongAdder> codes = new ConcurrentHashMap<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        LongAdder sent = new LongAdder();
        AtomicBoolean running = new AtomicBoolean(true);
        List<String> notReady = new CopyOnWriteArrayList<>();
        Thread readiness = Thread.ofVirtual().start(() -> watchReadiness(running, notReady));
        long started = System.nanoTime();
        List<Future<?>> senders = new ArrayList<>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < SOCKETS; i++) {
                long seed = SEED * 31 + i;
                String name = "Fuzz" + i;
                senders.add(pool.submit(() -> {
                    fuzz(name, seed, FRAMES / SOCKETS, typed, codes, problems, sent);
                    return null;
                }));
            }
            for (Future<?> f : senders) {
                f.get(10, TimeUnit.MINUTES);
            }
        } finally {
            running.set(false);
            readiness.join();
        }
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        System.out.println("ProtocolFuzzIT: " + sent.sum() + " frames in " + took.toMillis() + " ms; refusals "
                + new TreeMap<>(codes));

        assertEquals(FRAMES, sent.sum());
        assertTrue(problems.isEmpty(), () -> problems.size() + " problems, first: " + problems.subList(0,
                Math.min(20, problems.size())));
        assertTrue(notReady.isEmpty(), () -> "not ready during the fuzz: " + notReady);
        assertTrue(TRACES.isEmpty(), () -> TRACES.size() + " stack traces or errors logged, first: "
                + TRACES.stream().limit(5).map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown())
                .toList());
        assertTrue(codes.containsKey(ErrorCodes.BAD_MESSAGE) && codes.size() >= 8,
                () -> "the fuzz should reach many refusals: " + codes.keySet());
    }

    private static void fuzz(String name, long seed, int frames, Set<String> typed, Map<String, LongAdder> codes,
                             List<String> problems, LongAdder sent) throws Exception {
        FrameFuzzer fuzzer = new FrameFuzzer(seed);
        Socket socket = new Socket(name, typed, codes, problems);
        socket.connect(platform.ws(), platform.guest(name));
        socket.send("{\"type\":\"hello\",\"v\":1}");
        long marker = Long.MIN_VALUE + seed % 1_000_000 * 1_000_000;
        for (int i = 0; i < frames; i++) {
            String frame = fuzzer.next(socket.session);
            socket.send(frame);
            socket.lastSent = frame;
            sent.increment();
            if (i % WINDOW == WINDOW - 1 || i == frames - 1) {
                long t = marker + i;
                socket.send("{\"type\":\"ping\",\"t\":" + t + "}");
                socket.awaitPong(t);
            }
        }
        socket.close();
    }

    private static void watchReadiness(AtomicBoolean running, List<String> notReady) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        List<URI> ready = List.of(
                URI.create("http://127.0.0.1:" + platform.gateway.adminPort() + "/ready"),
                URI.create("http://127.0.0.1:" + platform.game.adminPort() + "/ready"));
        while (running.get()) {
            for (URI uri : ready) {
                try {
                    int status = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (status != 200) {
                        notReady.add(uri + " " + status);
                    }
                } catch (Exception e) {
                    notReady.add(uri + " " + e);
                }
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** One fuzzing socket: follows its session (joined/left) and checks every frame the server sends. */
    private static final class Socket implements WebSocket.Listener {
        private final String name;
        private final Set<String> typed;
        private final Map<String, LongAdder> codes;
        private final List<String> problems;
        private final StringBuilder partial = new StringBuilder();
        private final LinkedBlockingQueue<Long> pongs = new LinkedBlockingQueue<>();
        private final AtomicLong frames = new AtomicLong();
        private WebSocket ws;
        volatile String session;
        volatile String lastSent;
        volatile boolean closing;

        Socket(String name, Set<String> typed, Map<String, LongAdder> codes, List<String> problems) {
            this.name = name;
            this.typed = typed;
            this.codes = codes;
            this.problems = problems;
        }

        void connect(URI uri, String cookie) throws Exception {
            ws = HttpClient.newHttpClient().newWebSocketBuilder().header("Cookie", cookie)
                    .buildAsync(uri, this).get(10, TimeUnit.SECONDS);
        }

        void send(String text) {
            ws.sendText(text, true).join();
        }

        void awaitPong(long t) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline) {
                Long got = pongs.poll(1, TimeUnit.SECONDS);
                if (got != null && got == t) {
                    return;
                }
            }
            throw new AssertionError(name + ": no pong for " + t + " within 60 s (after " + frames.get() + " frames)");
        }

        void close() {
            closing = true;
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "done").join();
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                check(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void check(String text) {
            frames.incrementAndGet();
            JsonNode m = Json.tree(text.getBytes(StandardCharsets.UTF_8));
            switch (m.path("type").asText()) {
                case "pong" -> pongs.add(m.path("t").asLong());
                case "joined" -> session = m.path("session").asText();
                case "left" -> {
                    if (m.path("session").asText().equals(session)) {
                        session = null;
                    }
                }
                case "error" -> {
                    String code = m.path("code").asText();
                    codes.computeIfAbsent(code, c -> new LongAdder()).increment();
                    String message = m.path("message").asText();
                    if (!typed.contains(code) || ErrorCodes.INTERNAL.equals(code)) {
                        problems.add(name + ": untyped or internal " + text + " after " + lastSent);
                    }
                    if (message.isBlank() || message.matches("(?s).*(jackson|fasterxml|dev\\.runeforge|java\\.|"
                            + "Exception|Source:|line: \\d).*")) {
                        problems.add(name + ": leaky message " + text + " after " + lastSent);
                    }
                }
                default -> {
                }
            }
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!closing) {
                problems.add(name + ": closed by the server " + statusCode + " " + reason + " after " + lastSent);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            if (!closing) {
                problems.add(name + ": socket error " + error);
            }
        }
    }
}
