package dev.runeforge.testsupport;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;

/** A test WebSocket client: sends JSON, collects every received frame, waits for one that matches. */
public final class WsClient implements AutoCloseable {
    private final WebSocket socket;
    private final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    private final List<String> raw = Collections.synchronizedList(new ArrayList<>());

    private WsClient(WebSocket socket) {
        this.socket = socket;
    }

    /** Connects to {@code uri} sending {@code cookie} (may be null); fails if the upgrade is refused. */
    public static WsClient connect(URI uri, String cookie) throws Exception {
        Listener listener = new Listener();
        WebSocket.Builder builder = HttpClient.newHttpClient().newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5));
        if (cookie != null) {
            builder.header("Cookie", cookie);
        }
        WebSocket ws = builder.buildAsync(uri, listener).get(10, TimeUnit.SECONDS);
        WsClient client = new WsClient(ws);
        listener.client = client;
        return client;
    }

    public void send(Object message) {
        socket.sendText(message instanceof String s ? s : Json.text(message), true).join();
    }

    /** Waits for the next received message matching {@code match}, skipping others. */
    public JsonNode await(Predicate<JsonNode> match, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            JsonNode next = left > 0 ? inbox.poll(left, TimeUnit.NANOSECONDS) : null;
            if (next == null) {
                throw new AssertionError("no matching message within " + timeout + "; received so far: " + raw);
            }
            if (match.test(next)) {
                return next;
            }
        }
    }

    public JsonNode awaitType(String type, Duration timeout) throws InterruptedException {
        return await(m -> type.equals(m.path("type").asText()), timeout);
    }

    /** Every frame received so far, as text: wire-level assertions read these. */
    public List<String> frames() {
        synchronized (raw) {
            return List.copyOf(raw);
        }
    }

    @Override
    public void close() {
        socket.abort();
    }

    private static final class Listener implements WebSocket.Listener {
        private final StringBuilder partial = new StringBuilder();
        volatile WsClient client;

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                client.raw.add(text);
                client.inbox.add(Json.tree(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
            }
            webSocket.request(1);
            return null;
        }
    }
}
