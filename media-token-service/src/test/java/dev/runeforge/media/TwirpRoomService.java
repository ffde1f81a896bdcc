package dev.runeforge.media;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import livekit.LivekitModels;
import livekit.LivekitRoom;

/**
 * A stand-in for LiveKit's RoomService on a local ephemeral port, speaking its Twirp shape for the three calls voice
 * uses: {@code POST /twirp/livekit.RoomService/{CreateRoom,DeleteRoom,RemoveParticipant}}, protobuf bodies
 * ({@code Content-Type: application/protobuf}, what the server SDK sends), {@code Authorization: Bearer <JWT>} signed
 * HS256 with the API secret and carrying the grant LiveKit requires for the call (roomCreate; roomAdmin for the
 * room), and Twirp's JSON errors ({@code {"code":"not_found","msg":...}} with 404; unauthenticated with 401).
 *
 * <p>The LiveKit media server itself cannot run on these machines (no container runtime with network access and no
 * livekit-server binary in any package registry reachable here), so this is as close to it as the tests can get.
 */
final class TwirpRoomService implements AutoCloseable {
    /** One call as the server saw it: method, the request's room (and identity), the auth token's video grant. */
    record Call(String method, String room, String identity, Map<String, Object> video) {
    }

    /** A room as created: name, empty timeout (s), max participants, the participants "in" it. */
    record RoomState(String name, int emptyTimeout, int maxParticipants, Set<String> participants) {
    }

    private final HttpServer server;
    private final String apiKey;
    private final String secret;
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final Map<String, RoomState> rooms = new ConcurrentHashMap<>();
    /** When set, every call answers HTTP 500 (Twirp "internal"). */
    volatile boolean failing;

    TwirpRoomService(String apiKey, String secret) throws IOException {
        this.apiKey = apiKey;
        this.secret = secret;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/twirp/livekit.RoomService/", this::handle);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** A participant joins (as the media server would record when a client connects). */
    void join(String room, String identity) {
        rooms.get(room).participants().add(identity);
    }

    List<Call> calls(String method) {
        return calls.stream().filter(c -> c.method().equals(method)).toList();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestURI().getPath().substring("/twirp/livekit.RoomService/".length());
            if (!"POST".equals(ex.getRequestMethod())) {
                twirpError(ex, 405, "bad_route", "Twirp wants POST");
                return;
            }
            String type = ex.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.startsWith("application/protobuf")) {
                twirpError(ex, 400, "malformed", "expected application/protobuf, got " + type);
                return;
            }
            Map<String, Object> video = authorize(ex);
            if (video == null) {
                twirpError(ex, 401, "unauthenticated", "invalid token");
                return;
            }
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            if (failing) {
                calls.add(new Call(method, null, null, video));
                twirpError(ex, 500, "internal", "failing on purpose");
                return;
            }
            switch (method) {
                case "CreateRoom" -> {
                    LivekitRoom.CreateRoomRequest req = LivekitRoom.CreateRoomRequest.parseFrom(body);
                    calls.add(new Call(method, req.getName(), null, video));
                    if (!Boolean.TRUE.equals(video.get("roomCreate"))) {
                        twirpError(ex, 403, "permission_denied", "roomCreate required");
                        return;
                    }
                    RoomState room = rooms.computeIfAbsent(req.getName(), n -> new RoomState(n, req.getEmptyTimeout(),
                            req.getMaxParticipants(), ConcurrentHashMap.newKeySet()));
                    proto(ex, LivekitModels.Room.newBuilder().setSid("RM_" + room.name().hashCode()).setName(room.name())
                            .setEmptyTimeout(room.emptyTimeout()).setMaxParticipants(room.maxParticipants())
                            .build().toByteArray());
                }
                case "DeleteRoom" -> {
                    LivekitRoom.DeleteRoomRequest req = LivekitRoom.DeleteRoomRequest.parseFrom(body);
                    calls.add(new Call(method, req.getRoom(), null, video));
                    if (!Boolean.TRUE.equals(video.get("roomCreate"))) {
                        twirpError(ex, 403, "permission_denied", "roomCreate required");
                    } else if (rooms.remove(req.getRoom()) == null) {
                        twirpError(ex, 404, "not_found", "room not found");
                    } else {
                        proto(ex, LivekitRoom.DeleteRoomResponse.getDefaultInstance().toByteArray());
                    }
                }
                case "RemoveParticipant" -> {
                    LivekitRoom.RoomParticipantIdentity req = LivekitRoom.RoomParticipantIdentity.parseFrom(body);
                    calls.add(new Call(method, req.getRoom(), req.getIdentity(), video));
                    RoomState room = rooms.get(req.getRoom());
                    if (!Boolean.TRUE.equals(video.get("roomAdmin")) || !req.getRoom().equals(video.get("room"))) {
                        twirpError(ex, 403, "permission_denied", "roomAdmin for this room required");
                    } else if (room == null || !room.participants().remove(req.getIdentity())) {
                        twirpError(ex, 404, "not_found", "participant not found");
                    } else {
                        proto(ex, LivekitRoom.RemoveParticipantResponse.getDefaultInstance().toByteArray());
                    }
                }
                default -> twirpError(ex, 404, "bad_route", "no handler for " + method);
            }
        }
    }

    /** The token's {@code video} claim when it is a valid HS256 token of our API key, else null. */
    @SuppressWarnings("unchecked")
    private Map<String, Object> authorize(HttpExchange ex) {
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth == null || !auth.startsWith("Bearer ")) {
            return null;
        }
        try {
            SignedJWT jwt = SignedJWT.parse(auth.substring(7));
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())
                    || !jwt.verify(new MACVerifier(secret.getBytes(StandardCharsets.UTF_8)))
                    || !apiKey.equals(jwt.getJWTClaimsSet().getIssuer())
                    || jwt.getJWTClaimsSet().getExpirationTime().getTime() < System.currentTimeMillis()) {
                return null;
            }
            Object video = jwt.getJWTClaimsSet().getClaim("video");
            return video instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
        } catch (ParseException | JOSEException e) {
            return null;
        }
    }

    private static void proto(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/protobuf");
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    private static void twirpError(HttpExchange ex, int status, String code, String msg) throws IOException {
        byte[] body = ("{\"code\":\"" + code + "\",\"msg\":\"" + msg + "\"}").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }

    static List<String> names(List<Call> calls) {
        List<String> out = new ArrayList<>();
        calls.forEach(c -> out.add(c.method() + " " + c.room() + (c.identity() == null ? "" : " " + c.identity())));
        return out;
    }
}
