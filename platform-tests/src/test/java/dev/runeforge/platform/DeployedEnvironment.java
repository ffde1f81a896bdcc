package dev.runeforge.platform;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.yaml.snakeyaml.Yaml;

/**
 * The environment a deployment file gives a service's container, read from the file itself: each variable and where
 * its value comes from (a value written there, a Secret's key, a value the operator supplies, a mounted secret).
 *
 * @param where the file (or overlay) it was read from
 */
record DeployedEnvironment(String where, Map<String, Source> variables) {
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    /** Where a variable's value comes from. */
    sealed interface Source {
        /** Written in the file (a ConfigMap's data, an {@code Environment=} line, a compose value). */
        record Value(String value) implements Source {
        }

        /** A key of a secret the operator creates (a Kubernetes Secret, a podman secret as a variable). */
        record Secret(String secret, String key) implements Source {
        }

        /** Compose's {@code ${VARIABLE...}}: the operator's variable, or {@code fallback} when unset (null: none). */
        record Operator(String variable, String fallback) implements Source {
        }
    }

    @Override
    public String toString() {
        return where;
    }

    /** What the variables give as plain values: ConfigMap data, compose defaults, {@code Environment=} lines. */
    Map<String, String> values() {
        Map<String, String> values = new LinkedHashMap<>();
        variables.forEach((name, source) -> {
            switch (source) {
                case Source.Value v -> values.put(name, v.value());
                case Source.Operator o when o.fallback() != null -> values.put(name, o.fallback());
                default -> {
                }
            }
        });
        return values;
    }

    /** Every overlay under k8s/overlays, rendered with {@code kubectl kustomize} (KUBECTL names another kubectl). */
    static List<DeployedEnvironment> kubernetes(String deployment) throws Exception {
        List<DeployedEnvironment> all = new ArrayList<>();
        try (var overlays = Files.list(ROOT.resolve("k8s/overlays"))) {
            for (Path overlay : overlays.sorted().toList()) {
                all.add(kubernetes(overlay, deployment));
            }
        }
        return all;
    }

    @SuppressWarnings("unchecked")
    static DeployedEnvironment kubernetes(Path overlay, String deployment) throws Exception {
        String kubectl = System.getenv().getOrDefault("KUBECTL", "kubectl");
        Process p;
        try {
            p = new ProcessBuilder(kubectl, "kustomize", overlay.toString()).redirectErrorStream(false).start();
        } catch (IOException e) {
            throw new AssertionError("kubectl is needed to render " + overlay + " (it renders offline; scripts/provision.sh "
                    + "--tests installs it; or point KUBECTL at one): " + e.getMessage());
        }
        String rendered = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String errors = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new AssertionError("kubectl kustomize " + overlay + " failed: " + errors);
        }
        Map<String, Map<String, Object>> configMaps = new LinkedHashMap<>();
        Map<String, Object> container = null;
        for (Object doc : new Yaml().loadAll(rendered)) {
            if (!(doc instanceof Map<?, ?> o)) {
                continue;
            }
            Map<String, Object> meta = (Map<String, Object>) o.get("metadata");
            if ("ConfigMap".equals(o.get("kind"))) {
                Object data = o.get("data");
                configMaps.put((String) meta.get("name"), data == null ? Map.of() : (Map<String, Object>) data);
            }
            if ("Deployment".equals(o.get("kind")) && deployment.equals(meta.get("name"))) {
                Map<String, Object> pod = (Map<String, Object>) ((Map<String, Object>) ((Map<String, Object>) o.get("spec"))
                        .get("template")).get("spec");
                container = ((List<Map<String, Object>>) pod.get("containers")).getFirst();
            }
        }
        String where = ROOT.relativize(overlay).toString();
        if (container == null) {
            throw new AssertionError(where + " renders no Deployment " + deployment);
        }
        Map<String, Source> variables = new LinkedHashMap<>();
        for (Map<String, Object> from : (List<Map<String, Object>>) container.getOrDefault("envFrom", List.of())) {
            if (from.get("configMapRef") instanceof Map<?, ?> ref) {
                Map<String, Object> data = configMaps.get((String) ref.get("name"));
                if (data == null) {
                    throw new AssertionError(where + ": " + deployment + " uses ConfigMap " + ref.get("name") + ", not rendered");
                }
                data.forEach((k, v) -> variables.put(k, new Source.Value(String.valueOf(v))));
            } else if (from.get("secretRef") instanceof Map<?, ?> ref) {
                // Every key of a Secret: which ones is the operator's business, so nothing here names a variable.
                variables.put("*" + ref.get("name"), new Source.Secret((String) ref.get("name"), "*"));
            }
        }
        for (Map<String, Object> e : (List<Map<String, Object>>) container.getOrDefault("env", List.of())) {
            String name = (String) e.get("name");
            if (e.containsKey("value")) {
                variables.put(name, new Source.Value(String.valueOf(e.get("value"))));
            } else if (e.get("valueFrom") instanceof Map<?, ?> vf && vf.get("secretKeyRef") instanceof Map<?, ?> ref) {
                variables.put(name, new Source.Secret((String) ref.get("name"), (String) ref.get("key")));
            } else if (e.get("valueFrom") instanceof Map<?, ?> vf && vf.get("configMapKeyRef") instanceof Map<?, ?> ref) {
                variables.put(name, new Source.Value(String.valueOf(configMaps.getOrDefault((String) ref.get("name"),
                        Map.of()).get(ref.get("key")))));
            } else {
                variables.put(name, new Source.Value("(" + e.get("valueFrom") + ")"));
            }
        }
        return new DeployedEnvironment(where + " (Deployment " + deployment + ")", variables);
    }

    private static final Pattern INTERPOLATION = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}");

    /** A service of deploy/compose/compose.yaml (anchors and merge keys resolved). */
    @SuppressWarnings("unchecked")
    static DeployedEnvironment compose(String service) throws IOException {
        Path file = ROOT.resolve("deploy/compose/compose.yaml");
        Map<String, Object> compose = new Yaml().load(Files.readString(file));
        Map<String, Object> svc = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(service);
        if (svc == null) {
            throw new AssertionError(file + " has no service " + service);
        }
        Map<String, Object> environment = new LinkedHashMap<>();
        if (svc.get("environment") instanceof Map<?, ?> map) {
            map.forEach((k, v) -> environment.put(String.valueOf(k), v));
        } else if (svc.get("environment") instanceof List<?> list) {
            for (Object item : list) {
                String s = String.valueOf(item);
                environment.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
            }
        }
        Map<String, Source> variables = new LinkedHashMap<>();
        environment.forEach((name, raw) -> {
            String value = String.valueOf(raw);
            Matcher m = INTERPOLATION.matcher(value);
            if (m.matches()) {
                String fallback = m.group(2) != null && m.group(2).endsWith("-") ? m.group(3) : null;
                variables.put(name, new Source.Operator(m.group(1), fallback));
            } else {
                variables.put(name, new Source.Value(value));
            }
        });
        return new DeployedEnvironment("deploy/compose/compose.yaml (service " + service + ")", variables);
    }

    /**
     * A Quadlet {@code .container} file: {@code Environment=} and {@code Secret=} lines, the commented-out ones too
     * (the file's optional parts, which its comments tell the operator to uncomment).
     */
    static DeployedEnvironment quadlet(String file) throws IOException {
        Path path = ROOT.resolve("deploy/podman/quadlet").resolve(file);
        Map<String, Source> variables = new LinkedHashMap<>();
        Map<String, String> mounts = new LinkedHashMap<>();
        for (String line : Files.readAllLines(path)) {
            String l = line.strip().replaceFirst("^#(?=(Environment|Secret)=)", "");
            if (l.startsWith("Environment=")) {
                String kv = l.substring("Environment=".length());
                int eq = kv.indexOf('=');
                variables.put(kv.substring(0, eq), new Source.Value(kv.substring(eq + 1)));
            } else if (l.startsWith("Secret=")) {
                String[] parts = l.substring("Secret=".length()).split(",");
                Map<String, String> opts = new LinkedHashMap<>();
                for (int i = 1; i < parts.length; i++) {
                    opts.put(parts[i].substring(0, parts[i].indexOf('=')), parts[i].substring(parts[i].indexOf('=') + 1));
                }
                if ("env".equals(opts.get("type"))) {
                    variables.put(opts.get("target"), new Source.Secret(parts[0], parts[0]));
                } else {
                    mounts.put(opts.getOrDefault("target", "/run/secrets/" + parts[0]), parts[0]);
                }
            }
        }
        // A variable naming a mounted secret's path: the file holds that secret.
        variables.replaceAll((name, source) -> source instanceof Source.Value v && mounts.containsKey(v.value())
                ? new Source.Secret(mounts.get(v.value()), "file " + v.value()) : source);
        return new DeployedEnvironment("deploy/podman/quadlet/" + file, variables);
    }
}
