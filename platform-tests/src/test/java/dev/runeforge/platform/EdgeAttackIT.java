package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.runeforge.auth.keys.KeyStore;
import dev.runeforge.auth.keys.SecretBox;
import dev.runeforge.common.json.Json;
import dev.runeforge.common.protocol.ErrorCodes;
import dev.runeforge.testsupport.TestNats;
import io.nats.client.Connection;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's edge attacks, replayed over real sockets against the platform: each test comes from its own loopback
 * address (127.0.0.x), so the per-address limits of one attack do not spill into the next. The limits are set low
 * here (the settings the attacks prove); the defaults are in docs/operations.md. Every test also checks that the
 * gateway logged no stack trace while it was attacked.
 */
class EdgeAttackIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int MISSES = 5;
    private static final int PER_PLAYER = 3;
    private static final int PER_ADDRESS = 5;
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(10);
    private static Platform platform;
    private static final List<LogRecord> TRACES = new java.util.concurrent.CopyOnWriteArrayList<>();
    private static final Handler CAPTURE = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getThrown() != null && r.getLevel().intValue() >= Level.INFO.intValue()) {
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
    private final List<AutoCloseable> opened = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        Logger.getLogger("").addHandler(CAPTURE);
        platform = new Platform(Map.ofEntries(
                Map.entry("gateway.join.misses", Integer.toString(MISSES)),
                Map.entry("gateway.join.misses.refill", "PT10M"),
                Map.entry("gateway.connections.per.player", Integer.toString(PER_PLAYER)),
                Map.entry("gateway.connections.per.address", Integer.toString(PER_ADDRESS)),
                Map.entry("gateway.hello.timeout", "PT2S"),
                Map.entry("http.header.timeout", "PT2S"),
                Map.entry("gateway.flood.refusals", "20"),
                Map.entry("gateway.token.grace", "PT1S"),
                Map.entry("gateway.heartbeat.interval", "PT1S"),
                Map.entry("gateway.heartbeat.silence", "PT10S")));
    }

    @AfterAll
    static void stop() {
        Logger.getLogger("").removeHandler(CAPTURE);
        if (platform != null) {
            platform.close();
        }
    }

    @AfterEach
    void closeAndCheckTheLogs() throws Exception {
        for (AutoCloseable c : opened) {
            c.close();
        }
        assertTrue(TRACES.isEmpty(), () -> "stack traces logged: " + TRACES.stream()
                .map(r -> r.getLoggerName() + ": " + r.getMessage() + " " + r.getThrown()).toList());
    }

    /** A loopback address of this test's own. */
    private static InetAddress newAddress() throws Exception {
        return InetAddress.getByName("127.0.0." + NEXT_ADDRESS.getAndIncrement());
    }

    @Test
    void roomCodeGuessingIsLockedOutAfterTheDocumentedMisses() throws Exception {
        InetAddress from = newAddress();
        Ws host = open(from, platform.guest("Host")).hello();
        host.send(Map.of("type", "create", "id", "c1", "game", "dice", "settings", Map.of()));
        String code = host.awaitType("joined").path("code").asText();
        assertTrue(code.matches("[A-Z]+-[A-Z]+-\\d{4}"), code);

        Ws guesser = open(newAddress(), platform.guest("Mallory")).hello();
        for (int i = 0; i < MISSES; i++) {
            guesser.send(Map.of("type", "join", "id", "g" + i, "code", "WOLF-WOLF-" + String.format("%04d", i)));
            assertEquals(ErrorCodes.ROOM_NOT_FOUND, guesser.awaitType("error").path("code").asText());
        }
        // Locked out, even for the right code: the lock-out is decided before the directory is read.
        guesser.send(Map.of("type", "join", "id", "g-real", "code", code));
        JsonNode refused = guesser.awaitType("error");
        assertEquals(ErrorCodes.RATE_LIMITED, refused.path("code").asText(), refused.toString());
        assertTrue(refused.path("retryMs").asLong() > 0, refused.toString());
        assertEquals("g-real", refused.path("ref").asText());

        // A second guest from the same address shares the address's lock-out.
        Ws accomplice = open(guesser.from, platform.guest("Accomplice")).hello();
        accomplice.send(Map.of("type", "join", "id", "a1", "code", code));
        assertEquals(ErrorCodes.RATE_LIMITED, accomplice.awaitType("error").path("code").asText());

        // Someone else, elsewhere, still gets in with the code.
        Ws friend = open(newAddress(), platform.guest("Friend")).hello();
        friend.send(Map.of("type", "join", "id", "f1", "code", code));
        assertEquals(code, friend.awaitType("joined").path("code").asText());
    }

    @Test
    void socketCapsPerPlayerAndPerAddressRefuseTheNextSocketWithATypedError() throws Exception {
        InetAddress from = newAddress();
        String ada = platform.guest("Ada");
        for (int i = 0; i < PER_PLAYER; i++) {
            open(from, ada).hello();
        }
        Ws extra = open(from, ada);
        assertEquals(ErrorCodes.TOO_MANY_CONNECTIONS, extra.awaitType("error").path("code").asText());
        assertEquals(1013, extra.awaitClose());

        String bob = platform.guest("Bob");
        for (int i = 0; i < PER_ADDRESS - PER_PLAYER; i++) {
            open(from, bob).hello();
        }
        Ws third = open(from, platform.guest("Cy"));
        assertEquals(ErrorCodes.TOO_MANY_CONNECTIONS, third.awaitType("error").path("code").asText());
        assertEquals(1013, third.awaitClose());
        // The same player from another network is not held by this one's cap on addresses... but by its own.
        Ws elsewhere = open(newAddress(), ada);
        assertEquals(ErrorCodes.TOO_MANY_CONNECTIONS, elsewhere.awaitType("error").path("code").asText());
        open(newAddress(), platform.guest("Dee")).hello();
    }

    @Test
    void aSocketThatNeverSaysHelloIsClosedWithATypedError() throws Exception {
        Ws silent = open(newAddress(), platform.guest("Silent"));
        JsonNode error = silent.awaitType("error");
        assertEquals(ErrorCodes.HELLO_REQUIRED, error.path("code").asText(), error.toString());
        assertEquals(1008, silent.awaitClose());
    }

    @Test
    void slowlorisConnectionsAreClosedWithinTheHeaderTimeout() throws Exception {
        InetAddress from = newAddress();
        List<Socket> slow = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            Socket s = new Socket(InetAddress.getByName("127.0.0.1"), platform.gateway.port(), from, 0);
            s.setSoTimeout(200);
            s.getOutputStream().write(("GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\n").getBytes(StandardCharsets.US_ASCII));
            slow.add(s);
            opened.add(s);
        }
        // One more header line every 500 ms, for ever: each keeps its connection busy but never finishes.
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        int line = 0;
        while (slow.stream().anyMatch(s -> !s.isClosed()) && System.nanoTime() < deadline) {
            for (Socket s : slow) {
                if (s.isClosed()) {
                    continue;
                }
                try {
                    OutputStream out = s.getOutputStream();
                    out.write(("X-Slow-" + line + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    InputStream in = s.getInputStream();
                    if (in.read() < 0) {
                        s.close(); // the server closed it
                    }
                } catch (SocketTimeoutException stillOpen) {
                    // nothing to read: the server still holds it
                } catch (IOException closed) {
                    s.close();
                }
            }
            line++;
            Thread.sleep(500);
        }
        long open = slow.stream().filter(s -> !s.isClosed()).count();
        assertEquals(0, open, "slowloris connections still held after 15 s (header timeout 2 s)");
        // The server is still there for everyone else.
        HttpResponse<String> health = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(platform.http("/api/auth/me")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, health.statusCode());
    }

    @Test
    void aSocketThatKeepsFloodingAfterBeingRefusedIsClosed() throws Exception {
        Ws flood = open(newAddress(), platform.guest("Flood")).hello();
        for (int i = 0; i < 300 && !flood.closed.isDone(); i++) {
            flood.sendQuietly("{\"type\":\"ping\",\"t\":" + i + "}");
        }
        assertEquals(1008, flood.awaitClose());
        JsonNode last = flood.await(m -> "error".equals(m.path("type").asText())
                && m.path("message").asText().contains("closing"));
        assertEquals(ErrorCodes.RATE_LIMITED, last.path("code").asText());
    }

    @Test
    void aNullFrameAndAnOversizedOneAreTypedErrorsAndTheSocketLives() throws Exception {
        Ws ws = open(newAddress(), platform.guest("Edgy")).hello();
        for (String bad : new String[]{"null", "[]", "42", "\"hello\"", "{\"type\":\"hello\",\"v\":\"one\"}"}) {
            ws.send(bad);
            JsonNode error = ws.awaitType("error");
            assertEquals(ErrorCodes.BAD_MESSAGE, error.path("code").asText(), bad);
            assertFalse(error.path("message").asText().matches("(?s).*(jackson|dev\\.runeforge|java\\.|Source:).*"),
                    error.toString());
        }
        ws.send("{\"type\":\"ping\",\"t\":1,\"pad\":\"" + "x".repeat(20 * 1024) + "\"}");
        assertEquals(ErrorCodes.FRAME_TOO_LARGE, ws.awaitType("error").path("code").asText());
        ws.send(Map.of("type", "ping", "t", 2));
        assertEquals(2, ws.awaitType("pong").path("t").asInt());
    }

    @Test
    void aSocketWhoseTokenExpiredIsClosedAfterTheGrace() throws Exception {
        String cookie = platform.guest("Shortlived");
        String token = cookie.substring(cookie.indexOf('=') + 1);
        SignedJWT real = SignedJWT.parse(token);
        ECKey key;
        try (Connection nc = TestNats.connect()) {
            key = new KeyStore(nc, platform.namespace, SecretBox.fromBase64(Platform.KEY_SECRET), 1)
                    .read().state().current().jwk();
        }
        JWTClaimsSet claims = new JWTClaimsSet.Builder(real.getJWTClaimsSet())
                .expirationTime(new Date(System.currentTimeMillis() + 2_000)).build();
        SignedJWT shortLived = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
                .keyID(real.getHeader().getKeyID()).type(JOSEObjectType.JWT).build(), claims);
        shortLived.sign(new ECDSASigner(key));
        Ws ws = open(newAddress(), "rf_token=" + shortLived.serialize()).hello();
        JsonNode error = ws.awaitType("error");
        assertEquals(ErrorCodes.TOKEN_EXPIRED, error.path("code").asText(), error.toString());
        assertEquals(1008, ws.awaitClose());
    }

    @Test
    void logoutClosesTheSignInsLiveSocketsAndItsAccessTokenStopsWorking() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> signedIn = http.send(HttpRequest.newBuilder(platform.http("/api/auth/guest"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"Leaver\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, signedIn.statusCode(), signedIn.body());
        String cookies = String.join("; ", signedIn.headers().allValues("Set-Cookie").stream()
                .map(c -> c.substring(0, c.indexOf(';'))).toList());
        String access = cookies.split("; ")[0];
        InetAddress from = newAddress();
        Ws first = open(from, access).hello();
        Ws second = open(from, access).hello();
        // Another sign-in of another player is not touched.
        Ws bystander = open(from, platform.guest("Bystander")).hello();

        HttpResponse<String> out = http.send(HttpRequest.newBuilder(platform.http("/api/auth/logout"))
                .header("Cookie", cookies).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(204, out.statusCode(), out.body());

        for (Ws ws : List.of(first, second)) {
            JsonNode error = ws.awaitType("error");
            assertEquals(ErrorCodes.UNAUTHORIZED, error.path("code").asText(), error.toString());
            assertEquals(1008, ws.awaitClose());
        }
        HttpResponse<String> me = http.send(HttpRequest.newBuilder(platform.http("/api/auth/me"))
                .header("Cookie", access).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(401, me.statusCode(), "the logged-out access token still works on REST: " + me.body());
        bystander.send(Map.of("type", "ping", "t", 7));
        assertEquals(7, bystander.awaitType("pong").path("t").asInt());
    }

    private Ws open(InetAddress from, String cookie) throws Exception {
        Ws ws = Ws.connect(platform.ws(), from, cookie);
        opened.add(ws);
        return ws;
    }

    /** A WebSocket from a chosen local address that records every frame and its close. */
    static final class Ws implements WebSocket.Listener, AutoCloseable {
        final InetAddress from;
        final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
        final CompletableFuture<Integer> closed = new CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        private WebSocket socket;

        private Ws(InetAddress from) {
            this.from = from;
        }

        static Ws connect(URI uri, InetAddress from, String cookie) throws Exception {
            Ws ws = new Ws(from);
            ws.socket = HttpClient.newBuilder().localAddress(from).build().newWebSocketBuilder()
                    .header("Cookie", cookie).connectTimeout(Duration.ofSeconds(5))
                    .buildAsync(uri, ws).get(10, TimeUnit.SECONDS);
            return ws;
        }

        Ws hello() throws Exception {
            send(Map.of("type", "hello", "v", 1));
            awaitType("welcome");
            return this;
        }

        void send(Object message) {
            socket.sendText(message instanceof String s ? s : Json.text(message), true).join();
        }

        void sendQuietly(String text) {
            try {
                socket.sendText(text, true).get(5, TimeUnit.SECONDS);
            } catch (Exception closedMeanwhile) {
                // the server closed it: what the test waits for
            }
        }

        JsonNode awaitType(String type) throws InterruptedException {
            return await(m -> type.equals(m.path("type").asText()));
        }

        JsonNode await(java.util.function.Predicate<JsonNode> match) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                JsonNode next = inbox.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (next == null) {
                    throw new AssertionError("no matching message within " + WAIT);
                }
                if (match.test(next)) {
                    return next;
                }
            }
        }

        int awaitClose() throws Exception {
            return closed.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                inbox.add(Json.tree(partial.toString().getBytes(StandardCharsets.UTF_8)));
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(statusCode);
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            closed.complete(-1);
        }

        @Override
        public void close() {
            socket.abort();
        }
    }
}
