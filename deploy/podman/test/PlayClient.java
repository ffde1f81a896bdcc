// A WebSocket client that plays a dice room through a Rune Forge gateway, for deploy/podman/platform.sh test.
//
//   java -cp 'gateway-service/target/libs/*' deploy/podman/test/PlayClient.java BASE_URL NAME play ROLLS
//   java -cp 'gateway-service/target/libs/*' deploy/podman/test/PlayClient.java BASE_URL NAME soak STOP_FILE INTERVAL_MS
//
// play: signs in as a guest, creates a dice room and rolls ROLLS times, each waiting for `accepted` and its
//       `rolled` event. soak: the same, one roll every INTERVAL_MS until STOP_FILE exists; a dropped socket is
//       reopened and resumed (hello with resume) and an action without an answer is re-sent with the same id,
//       as the web client does. Both end by reading the room's whole roll history and checking that every
//       accepted action is in it exactly once and that roll numbers have no gap.
// Prints one `client:` summary line; exit 0 only when nothing was lost or doubled, every action was accepted
// and no `error` message arrived.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

public class PlayClient {
    static final ObjectMapper JSON = new ObjectMapper();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    final String base;
    final String cookie;
    String player;
    String session;
    long lastSeq;
    WebSocket ws;
    final LinkedBlockingQueue<JsonNode> inbox = new LinkedBlockingQueue<>();
    final Map<String, Long> pending = new LinkedHashMap<>(); // action id -> last send (ms)
    final Set<String> accepted = new HashSet<>();
    final Set<String> rolledActions = new HashSet<>();
    final List<String> errors = new ArrayList<>();
    int reconnects;
    int sent;

    PlayClient(String base, String name) throws Exception {
        this.base = base;
        HttpRequest req = HttpRequest.newBuilder(URI.create(base + "/api/auth/guest"))
                .timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"" + name + "\"}")).build();
        HttpResponse<String> res = HTTP.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() != 200) throw new IllegalStateException("guest sign-in: HTTP " + res.statusCode() + " " + res.body());
        String c = res.headers().allValues("set-cookie").stream().filter(v -> v.startsWith("rf_token=")).findFirst()
                .orElseThrow(() -> new IllegalStateException("no rf_token cookie"));
        cookie = c.substring(0, c.indexOf(';') < 0 ? c.length() : c.indexOf(';'));
        player = JSON.readTree(res.body()).path("player").asText();
    }

    void connect() throws Exception {
        String wsUrl = base.replaceFirst("^http", "ws") + "/ws";
        ws = HTTP.newWebSocketBuilder().header("Cookie", cookie).connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(wsUrl), new WebSocket.Listener() {
                    final StringBuilder buf = new StringBuilder();
                    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
                        buf.append(data);
                        if (last) {
                            try { inbox.add(JSON.readTree(buf.toString())); } catch (Exception e) { errors.add("unparseable: " + buf); }
                            buf.setLength(0);
                        }
                        w.request(1);
                        return null;
                    }
                    public CompletionStage<?> onClose(WebSocket w, int code, String reason) {
                        inbox.add(JSON.createObjectNode().put("type", "_closed").put("code", code));
                        return null;
                    }
                    public void onError(WebSocket w, Throwable t) {
                        inbox.add(JSON.createObjectNode().put("type", "_closed").put("code", -1).put("error", String.valueOf(t)));
                    }
                }).get(10, TimeUnit.SECONDS);
        ObjectNode hello = JSON.createObjectNode().put("type", "hello").put("v", 1);
        if (session != null) hello.putObject("resume").put("session", session).put("lastSeq", lastSeq);
        send(hello);
        JsonNode w = await("welcome", 10_000);
        if (w == null) throw new IllegalStateException("no welcome");
    }

    void send(JsonNode msg) {
        ws.sendText(msg.toString(), true).join();
    }

    /** Handles messages until one of type {@code type} arrives (returned) or the time is up (null). */
    JsonNode await(String type, long ms) throws Exception {
        long end = System.currentTimeMillis() + ms;
        while (true) {
            long left = end - System.currentTimeMillis();
            if (left <= 0) return null;
            JsonNode m = inbox.poll(left, TimeUnit.MILLISECONDS);
            if (m == null) return null;
            String t = m.path("type").asText();
            handle(m);
            if (t.equals(type)) return m;
            if (t.equals("_closed") && !type.equals("_closed")) throw new ClosedException(m.toString());
        }
    }

    static final class ClosedException extends Exception {
        ClosedException(String m) { super(m); }
    }

    void handle(JsonNode m) {
        switch (m.path("type").asText()) {
            case "joined" -> { session = m.path("session").asText(); lastSeq = m.path("seq").asLong(); }
            case "event" -> {
                long seq = m.path("seq").asLong();
                if (seq > lastSeq) lastSeq = seq;
                JsonNode body = m.path("body");
                if (body.path("type").asText().equals("rolled")) rolledActions.add(body.path("roll").path("action").asText());
            }
            case "accepted" -> { String id = m.path("id").asText(); if (id.startsWith("r")) accepted.add(id); pending.remove(id); }
            case "error" -> errors.add(m.toString());
            default -> { }
        }
    }

    void roll(String id) {
        ObjectNode a = JSON.createObjectNode().put("type", "action").put("id", id).put("session", session);
        a.putObject("body").put("type", "roll").put("formula", "1d20");
        pending.put(id, System.currentTimeMillis());
        sent++;
        send(a);
    }

    /** Processes incoming messages for up to ms; re-sends actions unanswered for 5 s; reconnects a dropped socket. */
    void pump(long ms) throws Exception {
        long end = System.currentTimeMillis() + ms;
        while (System.currentTimeMillis() < end) {
            try {
                await("_never_", Math.max(1, end - System.currentTimeMillis()));
            } catch (ClosedException e) {
                reconnect();
            }
            long now = System.currentTimeMillis();
            for (Map.Entry<String, Long> p : pending.entrySet()) {
                if (now - p.getValue() > 5000) {
                    ObjectNode a = JSON.createObjectNode().put("type", "action").put("id", p.getKey()).put("session", session);
                    a.putObject("body").put("type", "roll").put("formula", "1d20");
                    p.setValue(now);
                    try { send(a); } catch (Exception ex) { /* the next pump reconnects */ }
                }
            }
        }
    }

    void reconnect() throws Exception {
        long deadline = System.currentTimeMillis() + 60_000;
        while (true) {
            reconnects++;
            try {
                connect();
                await("joined", 5000);
                for (String id : pending.keySet()) pending.put(id, 0L); // re-send at once
                return;
            } catch (Exception e) {
                if (System.currentTimeMillis() > deadline) throw e;
                Thread.sleep(500);
            }
        }
    }

    /** The room's rolls, oldest first, through the history query. */
    List<JsonNode> history() throws Exception {
        List<JsonNode> all = new ArrayList<>();
        String before = null;
        for (int page = 0; page < 100; page++) {
            String qid = "h" + System.nanoTime();
            ObjectNode a = JSON.createObjectNode().put("type", "action").put("id", qid).put("session", session);
            ObjectNode body = a.putObject("body").put("type", "history").put("limit", 100);
            if (before != null) body.put("before", before);
            send(a);
            JsonNode r;
            do {
                r = await("result", 10_000);
                if (r == null) throw new IllegalStateException("no history result");
            } while (!r.path("ref").asText().equals(qid));
            List<JsonNode> rolls = new ArrayList<>();
            r.path("body").path("rolls").forEach(rolls::add);
            all.addAll(0, rolls);
            if (!r.path("body").path("more").asBoolean() || rolls.isEmpty()) break;
            before = rolls.get(0).path("id").asText();
        }
        return all;
    }

    public static void main(String[] args) throws Exception {
        String base = args[0], name = args[1], mode = args[2];
        long t0 = System.currentTimeMillis();
        PlayClient c = new PlayClient(base, name);
        c.connect();
        c.send(JSON.createObjectNode().put("type", "create").put("id", "c1").put("game", "dice"));
        if (c.await("joined", 15_000) == null) throw new IllegalStateException("create: no joined");
        int n = 0;
        if (mode.equals("play")) {
            int rolls = Integer.parseInt(args[3]);
            for (int i = 1; i <= rolls; i++) {
                String id = "r" + i;
                c.roll(id);
                long end = System.currentTimeMillis() + 20_000;
                while ((!c.accepted.contains(id) || !c.rolledActions.contains(c.player + ":" + id)) && System.currentTimeMillis() < end) {
                    c.pump(100);
                }
                n++;
                c.pump(1100); // under the 10 rolls / 10 s limit
            }
        } else {
            Path stop = Path.of(args[3]);
            long interval = Long.parseLong(args[4]);
            while (!Files.exists(stop)) {
                n++;
                c.roll("r" + n);
                c.pump(interval);
            }
            long end = System.currentTimeMillis() + 30_000;
            while (!c.pending.isEmpty() && System.currentTimeMillis() < end) c.pump(200);
        }
        c.pump(500);
        List<JsonNode> rolls = c.history();
        Map<String, Integer> seen = new LinkedHashMap<>();
        boolean gapFree = true;
        for (int i = 0; i < rolls.size(); i++) {
            JsonNode r = rolls.get(i);
            seen.merge(r.path("action").asText(), 1, Integer::sum);
            if (r.path("number").asLong() != i + 1) gapFree = false;
        }
        int lost = 0, doubled = 0;
        for (String id : c.accepted) {
            int k = seen.getOrDefault(c.player + ":" + id, 0);
            if (k == 0) lost++;
            if (k > 1) doubled++;
        }
        int unacked = c.pending.size();
        boolean ok = lost == 0 && doubled == 0 && unacked == 0 && gapFree && c.errors.isEmpty() && c.accepted.size() == n;
        System.out.printf("client: %s session=%s actions=%d accepted=%d in-history=%d lost=%d doubled=%d unanswered=%d gap-free=%s reconnects=%d errors=%d %.1fs%n",
                ok ? "OK" : "BAD", c.session, n, c.accepted.size(), rolls.size(), lost, doubled, unacked, gapFree,
                c.reconnects, c.errors.size(), (System.currentTimeMillis() - t0) / 1000.0);
        for (String e : c.errors.subList(0, Math.min(5, c.errors.size()))) System.out.println("client: error " + e);
        try { c.ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(2, TimeUnit.SECONDS); } catch (Exception ignored) { }
        System.exit(ok ? 0 : 1);
    }
}
