package dev.runeforge.gateway.version;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;

import dev.runeforge.gateway.rest.Api;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;

/**
 * {@code GET /api/version}, public: the version and build time Maven wrote into {@code rf-version.properties},
 * the commit when the build was given one ({@code -Drf.commit=$(git rev-parse --short HEAD)}), and the Java
 * runtime. Read once at start.
 */
public final class VersionRoutes {
    static final String RESOURCE = "rf-version.properties";

    private final Api api;
    private final Map<String, Object> body;

    public VersionRoutes(Api api) {
        this.api = api;
        this.body = read();
    }

    public void register(HttpRules rules) {
        rules.get("/api/version", api.open((req, res) -> Api.json(res, Status.OK_200, body)));
    }

    static Map<String, Object> read() {
        Properties p = new Properties();
        try (InputStream in = VersionRoutes.class.getClassLoader().getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(RESOURCE + " is missing from the classpath");
            }
            p.load(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("version", filtered(p, "version"));
        body.put("build", filtered(p, "build"));
        String commit = filtered(p, "commit");
        if (commit != null) {
            body.put("commit", commit);
        }
        body.put("java", Runtime.version().toString());
        return java.util.Collections.unmodifiableMap(body);
    }

    /** A value Maven filled in; null when the build left the placeholder (or nothing) there. */
    private static String filtered(Properties p, String key) {
        String v = p.getProperty(key, "").trim();
        return v.isEmpty() || v.startsWith("${") ? null : v;
    }
}
