package dev.runeforge.platform.chaos;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;

/**
 * A player's WebSocket that keeps itself honest under failure. It tracks its session's events (each seq must be
 * the last one + 1: a smaller one is a duplicate, a larger one a hole), which of its actions were accepted and
 * when, and when its connection drops (its gateway died) it connects again, to whichever gateway
 * {@code gateways} names now, and sends {@code hello {resume: {session, lastSeq}}}: it expects {@code resumed}
 * with its lastSeq and exactly the missed events (or a fresh {@code joined}, counted). Its one action in flight
 * is sent again, with the same id, once it is back in the session, and when the server answers UNAVAILABLE or
 * BUSY.
 */
public final class ChaosSocket {
    /** One action sent by this socket: first send, answer, and how many times it was sent. */
    public static final class Sent {
        public final String id;
        public final Map<String, Object> message;
        public final long sentNanos;
        public volatile long answeredNanos;
        public volatile int sends = 1;

        Sent(String id, Map<String, Object> message, long sentNanos) {
            this.id = id;
            this.message = message;
            this.sentNanos = sentNanos;
        }
    }

    private final HttpClient http;
    private final IntFunction<URI> gateways;
    private final String cookie;
    final String name;
    private final ScheduledExecutorService timer;
    private final int index;
    private volatile WebSocket ws;
    private volatile boolean closing;
    private volatile String player;
    private volatile String session;
    private volatile String code;
    /** The seq of the last event this socket saw in order (its view's position). */
    private long lastSeq;
    private boolean resuming;
    private int connectAttempts;
    private Sent inFlight;
    private final Map<String, Sent> sent = new ConcurrentHashMap<>();
    /** seq -> the action key of a roll event seen at that seq (for comparing with the log). */
    private final Map<Long, String> rollsSeen = new ConcurrentHashMap<>();
    public final List<String> problems = new CopyOnWriteArrayList<>();
    private final Map<String, Integer> errors = new ConcurrentHashMap<>();
    private int holes;
    private int duplicates;
    private int resumed;
    private int rejoined;
    private int reconnects;
    private long lastDisconnectNanos;
    private final List<Long> reconnectMillis = new CopyOnWriteArrayList<>();
    private volatile CompletableFuture<JsonNode> waiting;
    private volatile String waitingFor;
    private volatile Runnable onAccepted;

    ChaosSocket(HttpClient http, IntFunction<URI> gateways, String cookie, String name, ScheduledExecutorService timer,
                int index) {
        this.http = http;
        this.gateways = gateways;
        this.cookie = cookie;
        this.name = name;
        this.timer = timer;
        this.index = index;
    }

    // ---- set-up (blocking; before the chaos starts) ----

    void connect() throws Exception {
        CompletableFuture<JsonNode> welcome = expect("welcome");
        ws = open(gateways.apply(index));
        send(Map.of("type", "hello", "v", 1));
        player = welcome.get(30, TimeUnit.SECONDS).path("player").asText();
    }

    /** Creates a dice room; returns its code. */
    String create() throws Exception {
        CompletableFuture<JsonNode> joined = expect("joined");
        send(Map.of("type", "create", "id", "create-" + name, "game", "dice", "settings", Map.of("mode", "open")));
        JsonNode j = joined.get(30, TimeUnit.SECONDS);
        return code;
    }

    void join(String roomCode) throws Exception {
        CompletableFuture<JsonNode> joined = expect("joined");
        send(Map.of("type", "join", "id", "join-" + name, "code", roomCode));
        joined.get(30, TimeUnit.SECONDS);
    }

    private CompletableFuture<JsonNode> expect(String type) {
        CompletableFuture<JsonNode> f = new CompletableFuture<>();
        waitingFor = type;
        waiting = f;
        return f;
    }

    private WebSocket open(URI uri) throws Exception {
        if (uri == null) {
            throw new IllegalStateException("no gateway is up");
        }
        return http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(5)).header("Cookie", cookie)
                .buildAsync(uri, new Listener()).get(10, TimeUnit.SECONDS);
    }

    // ---- actions ----

    /** Sends a roll with a fresh id; {@code then} runs (on the timer) once it is accepted. */
    void roll(String id, Runnable then) {
        Map<String, Object> message = Map.of("type", "action", "id", id, "session", session,
                "body", Map.of("type", "roll", "formula", "1d20"));
        Sent s = new Sent(id, message, System.nanoTime());
        synchronized (this) {
            inFlight = s;
            onAccepted = then;
            sent.put(id, s);
            if (resuming) {
                return; // sent once the socket is back in the session
            }
        }
        send(message);
    }

    private void send(Map<String, Object> message) {
        WebSocket socket = ws;
        if (socket == null) {
            return;
        }
        try {
            synchronized (socket) {
                socket.sendText(Json.text(message), true).get(10, TimeUnit.SECONDS);
            }
        } catch (Exception e) {
            // The connection is going: onClose/onError reconnects and sends the action in flight again.
        }
    }

    // ---- frames ----

    private void onFrame(JsonNode m) {
        String type = m.path("type").asText();
        CompletableFuture<JsonNode> w = waiting;
        switch (type) {
            case "welcome" -> {
            }
            case "joined" -> {
                synchronized (this) {
                    if (resuming) {
                        rejoined++; // the server no longer kept what we missed: a fresh view (allowed, counted)
                        backInSession();
                    }
                    session = m.path("session").asText();
                    code = m.path("code").asText();
                    lastSeq = m.path("seq").asLong();
                }
            }
            case "resumed" -> {
                synchronized (this) {
                    if (m.path("seq").asLong() != lastSeq) {
                        problems.add(name + ": resumed at " + m.path("seq") + ", asked " + lastSeq);
                    }
                    if (resuming) {
                        resumed++;
                        backInSession();
                    }
                }
            }
            case "event" -> {
                synchronized (this) {
                    if (!m.path("session").asText().equals(session)) {
                        break;
                    }
                    long seq = m.path("seq").asLong();
                    if (seq <= lastSeq) {
                        duplicates++;
                        problems.add(name + ": seq " + seq + " again (at " + lastSeq + ")");
                        break;
                    }
                    if (seq > lastSeq + 1) {
                        holes++;
                        problems.add(name + ": hole " + (lastSeq + 1) + ".." + (seq - 1));
                    }
                    lastSeq = seq;
                    String action = m.path("body").path("roll").path("action").asText("");
                    if (!action.isEmpty()) {
                        rollsSeen.put(seq, action);
                    }
                }
            }
            case "accepted" -> {
                Sent s = sent.get(m.path("id").asText());
                Runnable next = null;
                synchronized (this) {
                    if (s != null && s.answeredNanos == 0) {
                        s.answeredNanos = System.nanoTime();
                        if (inFlight == s) {
                            inFlight = null;
                            next = onAccepted;
                        }
                    }
                }
                if (next != null) {
                    next.run();
                }
            }
            case "error" -> {
                String codeName = m.path("code").asText();
                errors.merge(codeName, 1, Integer::sum);
                String ref = m.path("ref").asText("");
                if (ref.startsWith("resume-")) {
                    if (codeName.equals("UNAVAILABLE") || codeName.equals("BUSY")) {
                        timer.schedule(this::reconnect, 300, TimeUnit.MILLISECONDS);
                    } else {
                        problems.add(name + ": resume refused " + m);
                    }
                    break;
                }
                Sent s = sent.get(ref);
                if (s != null && s.answeredNanos == 0 && (codeName.equals("UNAVAILABLE") || codeName.equals("BUSY")
                        || codeName.equals("TIMEOUT"))) {
                    long wait = Math.max(100, m.path("retryMs").asLong(100));
                    timer.schedule(() -> resend(s), wait, TimeUnit.MILLISECONDS);
                } else if (s != null || (w != null && !w.isDone())) {
                    problems.add(name + ": refused " + m);
                }
            }
            default -> {
            }
        }
        if (w != null && type.equals(waitingFor)) {
            w.complete(m);
        } else if (w != null && type.equals("error") && !m.path("ref").asText("").startsWith("resume-")
                && sent.get(m.path("ref").asText("")) == null) {
            w.completeExceptionally(new IllegalStateException(m.toString()));
        }
    }

    private void resend(Sent s) {
        synchronized (this) {
            if (s.answeredNanos != 0 || inFlight != s || resuming) {
                return;
            }
            s.sends++;
        }
        send(s.message);
    }

    /** Called holding the lock: the socket is in its session again; send what was in flight. */
    private void backInSession() {
        resuming = false;
        reconnectMillis.add((System.nanoTime() - lastDisconnectNanos) / 1_000_000);
        Sent s = inFlight;
        if (s != null && s.answeredNanos == 0) {
            s.sends++;
            timer.execute(() -> send(s.message));
        }
    }

    private void onDisconnect(WebSocket from) {
        synchronized (this) {
            if (closing || from != ws || resuming) {
                return;
            }
            resuming = true;
            reconnects++;
            connectAttempts = 0;
            lastDisconnectNanos = System.nanoTime();
        }
        timer.schedule(this::reconnect, 50, TimeUnit.MILLISECONDS);
    }

    private void reconnect() {
        long after;
        synchronized (this) {
            if (closing) {
                return;
            }
            after = lastSeq;
            connectAttempts++;
        }
        try {
            WebSocket old = ws;
            ws = open(gateways.apply(index + connectAttempts));
            if (old != null) {
                old.abort();
            }
            send(Map.of("type", "hello", "v", 1, "resume", Map.of("session", session, "lastSeq", after)));
        } catch (Exception e) {
            // No gateway yet (the replacement is starting): try again.
            timer.schedule(this::reconnect, Math.min(1000, 100L * connectAttempts), TimeUnit.MILLISECONDS);
        }
    }

    /** Drops the connection as a dying network would (abort, no close frame), to test resume on its own. */
    void drop() {
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
            onDisconnect(socket);
        }
    }

    void close() {
        closing = true;
        WebSocket socket = ws;
        if (socket != null) {
            socket.abort();
        }
    }

    // ---- results ----

    public String session() {
        return session;
    }

    public String player() {
        return player;
    }

    public String code() {
        return code;
    }

    public synchronized boolean resuming() {
        return resuming;
    }

    public synchronized Sent inFlight() {
        return inFlight;
    }

    public Map<String, Sent> sent() {
        return sent;
    }

    public Map<Long, String> rollsSeen() {
        return rollsSeen;
    }

    public synchronized int holes() {
        return holes;
    }

    public synchronized int duplicates() {
        return duplicates;
    }

    public synchronized int resumedCount() {
        return resumed;
    }

    public synchronized int rejoinedCount() {
        return rejoined;
    }

    public synchronized int reconnects() {
        return reconnects;
    }

    public synchronized long lastSeq() {
        return lastSeq;
    }

    public List<Long> reconnectMillis() {
        return reconnectMillis;
    }

    public Map<String, Integer> errors() {
        return errors;
    }

    private final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (webSocket == ws || ws == null) {
                    try {
                        onFrame(Json.tree(text.getBytes(StandardCharsets.UTF_8)));
                    } catch (RuntimeException e) {
                        problems.add(name + ": " + e + " on " + text);
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            onDisconnect(webSocket);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            onDisconnect(webSocket);
        }
    }

    static List<Long> sorted(List<Long> values) {
        List<Long> v = new ArrayList<>(values);
        v.sort(null);
        return v;
    }

    @Override
    public String toString() {
        return new LinkedHashMap<>(Map.of("name", name, "session", String.valueOf(session), "lastSeq", lastSeq))
                .toString();
    }
}
