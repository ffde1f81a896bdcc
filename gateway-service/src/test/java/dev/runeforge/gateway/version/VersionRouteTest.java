package dev.runeforge.gateway.version;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runeforge.gateway.rest.RestHarness;
import org.junit.jupiter.api.Test;

/** {@code GET /api/version}: public, and what the build wrote (not placeholders). */
class VersionRouteTest {
    @Test
    void theVersionIsTheBuildsAndNeedsNoSignIn() throws Exception {
        try (RestHarness http = new RestHarness(new VersionRoutes(RestHarness.api())::register)) {
            HttpResponse<String> res = http.send("GET", "/api/version", null, null);
            assertEquals(200, res.statusCode(), res.body());
            JsonNode body = RestHarness.json(res);
            // Maven filled in the project version and the build time (rf-version.properties).
            assertTrue(body.path("version").asText().matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?"), res.body());
            assertTrue(body.path("build").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ"), res.body());
            assertEquals(Runtime.version().toString(), body.path("java").asText());
            assertFalse(res.body().contains("${"), "no unfiltered placeholder: " + res.body());
        }
    }
}
