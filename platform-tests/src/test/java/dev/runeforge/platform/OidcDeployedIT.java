package dev.runeforge.platform;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.common.json.Json;
import dev.runeforge.testsupport.TestNats;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import okhttp3.mockwebserver.RecordedRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * OIDC sign-in as deployed. auth-service runs from its jar with nothing but the environment a deployment file gives
 * its container: the variable names (and which come from a secret or a mounted file) are read from every
 * Kubernetes overlay as {@code kubectl kustomize} renders it, from the compose file and from the Quadlet unit; the
 * values are the operator's, here those of a real OIDC provider (mock-oauth2-server) and the platform around it (in
 * this JVM, without its own auth-service). Each must sign a browser in through the whole code flow, with the client
 * authenticating to the provider with the secret it was given.
 */
class OidcDeployedIT {
    private static final String CLIENT = "rune-forge-deployed";
    private static final String CLIENT_SECRET = "s3cret-" + UUID.randomUUID();
    private static final List<String> OIDC = List.of("auth.oidc.issuer", "auth.oidc.client-id",
            "auth.oidc.client-secret", "auth.oidc.redirect-uri");
    private static MockOAuth2Server provider;
    private static Platform platform;
    private static int httpPort;
    private static SettingsTable table;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @TempDir
    Path dir;

    @BeforeAll
    static void start() throws Exception {
        table = SettingsTable.read();
        provider = new MockOAuth2Server();
        provider.start();
        // The provider's first answers (class loading, key generation) take seconds on a busy machine: longer than
        // auth-service's 5 s discovery timeout. Warm it up, as a provider that has been running is.
        HttpClient warm = HttpClient.newHttpClient();
        for (URI uri : List.of(provider.wellKnownUrl("default").uri(), provider.jwksUrl("default").uri())) {
            warm.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.discarding());
        }
        httpPort = ServiceProcess.freePort();
        platform = new Platform(Map.of("http.port", Integer.toString(httpPort)), false);
    }

    @AfterAll
    static void stop() {
        if (platform != null) {
            platform.close();
        }
        if (provider != null) {
            provider.shutdown();
        }
    }

    static Stream<DeployedEnvironment> deployments() throws Exception {
        List<DeployedEnvironment> all = new ArrayList<>(DeployedEnvironment.kubernetes("auth-service"));
        all.add(DeployedEnvironment.compose("auth"));
        all.add(DeployedEnvironment.quadlet("rf-auth.container"));
        return all.stream();
    }

    /** The operator's value of each OIDC setting. */
    private static Map<String, String> operatorValues() {
        return Map.of(
                "auth.oidc.issuer", provider.issuerUrl("default").toString(),
                "auth.oidc.client-id", CLIENT,
                "auth.oidc.client-secret", CLIENT_SECRET,
                "auth.oidc.redirect-uri", "http://127.0.0.1:" + httpPort + "/api/auth/callback");
    }

    /**
     * The process environment: what the file writes as values, the operator's values where it leaves them to the
     * operator (a Secret's key, a compose variable, a mounted file), and this test's NATS, namespace and admin port
     * in place of the deployment's own.
     */
    private Map<String, String> environment(DeployedEnvironment deployed, int adminPort) throws Exception {
        List<String> problems = new ArrayList<>();
        Map<String, String> env = new HashMap<>(deployed.values());
        env.remove("JAVA_TOOL_OPTIONS"); // the JVM is this test's to size
        Map<String, String> values = operatorValues();
        for (String key : OIDC) {
            SettingsTable.Row row = table.row(key);
            var plain = deployed.variables().get(row.env());
            var file = row.secret() ? deployed.variables().get(row.env() + "_FILE") : null;
            if (plain != null) {
                env.put(row.env(), values.get(key));
            } else if (file != null) {
                Path secret = Files.writeString(dir.resolve(row.env()), values.get(key) + "\n");
                env.put(row.env() + "_FILE", secret.toString());
            } else {
                problems.add(deployed.where() + " gives auth-service no " + row.env()
                        + (row.secret() ? " (nor " + row.env() + "_FILE)" : "") + " for " + key);
            }
            if (plain instanceof DeployedEnvironment.Source.Value v && row.secret()) {
                problems.add(deployed.where() + " writes the secret " + row.env() + " in the file: " + v);
            }
        }
        assertEquals(List.of(), problems);
        // The signing keys' secret, when the deployment expects one from the operator (dev mode may go without).
        var keys = deployed.variables().get(table.row("auth.keys.secret").env());
        if (keys != null && !(keys instanceof DeployedEnvironment.Source.Value)) {
            env.put("AUTH_KEYS_SECRET", Platform.KEY_SECRET);
        }
        env.putAll(TestNats.environment("auth-service"));
        env.put("BUS_REPLICAS", "1"); // one NATS server here (the k8s manifests say 3, for their cluster)
        env.put("BUS_NAMESPACE", platform.namespace);
        env.put("ADMIN_HOST", "127.0.0.1");
        env.put("ADMIN_PORT", Integer.toString(adminPort));
        return env;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("deployments")
    void aBrowserSignsInThroughTheProviderWithOnlyWhatTheDeploymentGivesAuthService(DeployedEnvironment deployed)
            throws Exception {
        int adminPort = ServiceProcess.freePort();
        Map<String, String> env = environment(deployed, adminPort);
        String name = "oidc-" + deployed.where().replaceAll("[^A-Za-z0-9]+", "-");
        try (ServiceProcess auth = ServiceProcess.start("auth-service", name, env, adminPort)) {
            auth.awaitJson("/ready", Duration.ofSeconds(90));
            JsonNode settings = auth.awaitJson("/settings", Duration.ofSeconds(5)).path("settings");
            for (String key : OIDC) {
                String from = settings.path(key).path("from").asText();
                assertTrue(from.startsWith("env " + table.row(key).env()), key + " came from " + from);
            }
            drainProviderRequests();

            String subject = "deployed-" + UUID.randomUUID();
            provider.enqueueCallback(new DefaultOAuth2TokenCallback("default", subject, "JWT", List.of(CLIENT),
                    Map.of("name", "Dee Ployed"), 3600));
            HttpResponse<String> login = get(platform.http("/api/auth/login"), null);
            assertEquals(302, login.statusCode(), login.body());
            URI authorize = URI.create(login.headers().firstValue("Location").orElseThrow());
            assertTrue(authorize.toString().startsWith(provider.authorizationEndpointUrl("default").toString()), authorize.toString());
            assertTrue(authorize.getRawQuery().contains("client_id=" + CLIENT), authorize.toString());
            String state = cookie(login, "rf_oidc");
            assertNotNull(state, "no state cookie");
            HttpResponse<String> atProvider = get(authorize, null);
            assertEquals(302, atProvider.statusCode(), atProvider.body());
            URI back = URI.create(atProvider.headers().firstValue("Location").orElseThrow());
            assertEquals("127.0.0.1:" + httpPort + "/api/auth/callback", back.getAuthority() + back.getPath());

            HttpResponse<String> callback = get(back, "rf_oidc=" + state);
            assertEquals(303, callback.statusCode(), callback.body() + "\nauth-service log:\n" + auth.tail());
            HttpResponse<String> me = get(platform.http("/api/auth/me"), "rf_token=" + cookie(callback, "rf_token"));
            assertEquals(200, me.statusCode(), me.body());
            assertEquals("Dee Ployed", Json.tree(me.body().getBytes(StandardCharsets.UTF_8)).path("name").asText());

            // The client authenticated to the provider with exactly the id and secret the operator gave.
            RecordedRequest token = tokenRequest();
            String basic = token.getHeader("Authorization");
            assertNotNull(basic, "the token request carried no client authentication");
            assertTrue(basic.startsWith("Basic "), basic);
            String[] pair = new String(Base64.getDecoder().decode(basic.substring(6)), StandardCharsets.UTF_8).split(":", 2);
            assertEquals(CLIENT, URLDecoder.decode(pair[0], StandardCharsets.UTF_8));
            assertEquals(CLIENT_SECRET, URLDecoder.decode(pair[1], StandardCharsets.UTF_8));
        }
    }

    private void drainProviderRequests() {
        while (takeRequest(50) != null) {
            // requests of an earlier run
        }
    }

    private RecordedRequest tokenRequest() {
        for (RecordedRequest r = takeRequest(2000); r != null; r = takeRequest(2000)) {
            if (r.getRequestUrl() != null && r.getRequestUrl().encodedPath().endsWith("/token")) {
                return r;
            }
        }
        throw new AssertionError("the provider saw no token request");
    }

    private static RecordedRequest takeRequest(long millis) {
        try {
            return provider.takeRequest(millis, TimeUnit.MILLISECONDS);
        } catch (RuntimeException e) {
            return null; // none within the time
        }
    }

    private HttpResponse<String> get(URI uri, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).GET();
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<?> res, String name) {
        Map<String, String> jar = new HashMap<>();
        for (String sc : res.headers().allValues("Set-Cookie")) {
            jar.put(sc.substring(0, sc.indexOf('=')), sc.substring(sc.indexOf('=') + 1, sc.indexOf(';')));
        }
        return jar.get(name);
    }
}
