package dev.runeforge.common.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;

/**
 * Where a service's settings come from, and the one rule that names them in the environment.
 *
 * <p>A setting is a lower-case key of dot-separated parts, words within a part joined by dashes
 * ({@code auth.oidc.client-id}). Its <b>environment name</b> is the key in upper case with every {@code .} and
 * {@code -} turned into {@code _} ({@code AUTH_OIDC_CLIENT_ID}); a secret is also read from the file that
 * {@code <NAME>_FILE} names (a mounted Kubernetes or podman secret; surrounding whitespace is dropped). Two keys
 * of one service whose environment names would be equal are refused when the second is read.
 *
 * <p>Each read takes the first of: overrides (tests), the environment, the Java system property named as the key,
 * the YAML file named by {@code RF_CONFIG}, the default the reading code states. An empty value is the same as an
 * unset one. Only keys a service reads are looked up, so there is no catch-all mapping: a variable that names no
 * setting of the service does nothing (one within two letters of a real name is logged as a likely typo).
 *
 * <p>Every read is recorded: {@link #effective()} is what the service saw, where each value came from, secrets as
 * {@code ***} (the admin port serves it on {@code /settings}). Services read all their keys once, in their
 * {@code Main}, into typed settings records; a value that does not parse, or a required one that is missing, stops
 * the start with a message naming the key and its variable.
 */
public final class ServiceConfig {
    /** A key: lower-case parts of letters and digits, separated by dots, a dash joining words; two parts at least. */
    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9]*(?:-[a-z0-9]+)*(?:\\.[a-z0-9]+(?:-[a-z0-9]+)*)+");
    static final String MASK = "***";

    /** What a service read for one key: its value as the code got it (secrets masked) and where it came from. */
    public record Seen(String key, String env, boolean secret, String value, String from) {
    }

    private record Raw(String value, String from) {
    }

    private final Map<String, String> overrides;
    private final Map<String, String> env;
    private final Map<String, String> system;
    private final Config file;
    private final String fileName;
    private final Map<String, Seen> seen = Collections.synchronizedMap(new LinkedHashMap<>());
    private final Map<String, String> envNames = new HashMap<>();

    private ServiceConfig(Map<String, String> overrides, Map<String, String> env, Map<String, String> system,
                          Config file, String fileName) {
        this.overrides = Map.copyOf(overrides);
        this.env = Map.copyOf(env);
        this.system = Map.copyOf(system);
        this.file = file;
        this.fileName = fileName;
    }

    /** The process's environment, system properties and {@code RF_CONFIG} file. */
    public static ServiceConfig load() {
        return load(Map.of());
    }

    /** As {@link #load()}, with {@code overrides} on top of everything (tests use this). */
    public static ServiceConfig load(Map<String, String> overrides) {
        return of(overrides, System.getenv(), System.getProperties());
    }

    /** Settings from the given environment and system properties (and the file their {@code RF_CONFIG} names). */
    public static ServiceConfig of(Map<String, String> overrides, Map<String, String> env, Properties system) {
        Map<String, String> props = new HashMap<>();
        system.stringPropertyNames().forEach(k -> props.put(k, system.getProperty(k)));
        String file = env.get("RF_CONFIG");
        Config yaml = null;
        if (file != null && !file.isBlank()) {
            if (!Files.isReadable(Path.of(file))) {
                throw new IllegalStateException("RF_CONFIG names a file that cannot be read: " + file);
            }
            yaml = Config.builder()
                    .sources(ConfigSources.file(file))
                    .disableEnvironmentVariablesSource()
                    .disableSystemPropertiesSource()
                    .build();
        }
        return new ServiceConfig(overrides, env, props, yaml, file);
    }

    /** The environment variable that sets {@code key}: upper case, {@code .} and {@code -} become {@code _}. */
    public static String envName(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("not a setting key (lower-case parts joined by dots, words by dashes, "
                    + "two parts at least): " + key);
        }
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    // --- typed reads: each states its default once ------------------------------------------------------------

    public String string(String key, String fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return read(key, false, fallback, s -> s, s -> s, "text");
    }

    /** A text setting without a default: empty when unset. */
    public Optional<String> optional(String key) {
        return Optional.ofNullable(read(key, false, null, s -> s, s -> s, "text"));
    }

    public int integer(String key, int fallback) {
        return read(key, false, fallback, Integer::valueOf, String::valueOf, "a whole number");
    }

    public double decimal(String key, double fallback) {
        return read(key, false, fallback, Double::valueOf, ServiceConfig::show, "a number");
    }

    public boolean flag(String key, boolean fallback) {
        return read(key, false, fallback, ServiceConfig::parseFlag, String::valueOf, "true or false");
    }

    public Duration duration(String key, Duration fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return read(key, false, fallback, Duration::parse, ServiceConfig::show,
                "an ISO-8601 duration such as PT2S, PT15M or P30D");
    }

    /** A list: comma-separated in the environment or a property, a YAML list in the file; empty by default. */
    public List<String> list(String key) {
        return read(key, false, List.of(), ServiceConfig::parseList, l -> String.join(",", l), "a comma-separated list");
    }

    /** A secret without a default (also read from the file {@code <NAME>_FILE} names); masked wherever shown. */
    public Optional<String> secret(String key) {
        return Optional.ofNullable(read(key, true, null, s -> s, s -> s, "text"));
    }

    /** A secret with a default (a development value, or empty). */
    public String secret(String key, String fallback) {
        Objects.requireNonNull(fallback, "fallback");
        return read(key, true, fallback, s -> s, s -> s, "text");
    }

    /**
     * The error for a setting the service cannot run without, naming the key and its environment variable(s):
     * {@code "<key> is required <when> (set <NAME>[ or <NAME>_FILE])"}. The key must have been read already.
     */
    public IllegalStateException missing(String key, String when) {
        Seen s = seen.get(key);
        if (s == null) {
            throw new IllegalArgumentException("read " + key + " before reporting it missing");
        }
        return new IllegalStateException(key + " is required" + (when.isEmpty() ? "" : " " + when) + " (set "
                + names(s.env(), s.secret()) + ")");
    }

    /** The error for a value that was set but is unusable (a parse of the caller's own, a range). */
    public IllegalStateException invalid(String key, String problem) {
        Seen s = seen.get(key);
        String where = s == null ? "" : " (" + s.from() + ")";
        return new IllegalStateException(key + where + ": " + problem);
    }

    /** Every key read so far, in reading order: what the service runs with. */
    public Map<String, Seen> effective() {
        synchronized (seen) {
            return Collections.unmodifiableMap(new LinkedHashMap<>(seen));
        }
    }

    /**
     * Names in the environment or the {@code RF_CONFIG} file that are not settings of this service but within two
     * letters of one: likely typos ({@code AUTH_OIDC_CLIENTID}). Call after every key is read.
     */
    public List<String> likelyTypos() {
        Map<String, String> known = new HashMap<>();
        Set<String> knownKeys = new TreeSet<>();
        synchronized (seen) {
            for (Seen s : seen.values()) {
                known.put(s.env(), s.key());
                if (s.secret()) {
                    known.put(s.env() + "_FILE", s.key());
                }
                knownKeys.add(s.key());
            }
        }
        List<String> typos = new ArrayList<>();
        for (String name : new TreeSet<>(env.keySet())) {
            if (!known.containsKey(name)) {
                closest(name, known.keySet()).ifPresent(near -> typos.add("environment variable " + name
                        + " is not a setting of this service; did you mean " + near + "?"));
            }
        }
        if (file != null) {
            file.traverse().filter(Config::isLeaf).forEach(node -> {
                Config.Key k = node.key();
                // A list's items are keys of their own (gateway.origins.0): the setting is the list.
                boolean item = !k.parent().isRoot() && file.get(k.parent().toString()).type() == Config.Type.LIST;
                String key = item ? k.parent().toString() : k.toString();
                if (!knownKeys.contains(key)) {
                    closest(key, knownKeys).ifPresent(near -> typos.add(fileName + ": " + key
                            + " is not a setting of this service; did you mean " + near + "?"));
                }
            });
        }
        return typos.stream().distinct().toList();
    }

    // --- the layers ---------------------------------------------------------------------------------------------

    private <T> T read(String key, boolean secret, T fallback, Function<String, T> parse, Function<T, String> show,
                       String what) {
        String name = envName(key);
        claim(name, key);
        if (secret) {
            claim(name + "_FILE", key);
        }
        Raw raw = raw(key, name, secret);
        T value;
        String from;
        if (raw == null) {
            value = fallback;
            from = "default";
        } else {
            from = raw.from();
            try {
                value = parse.apply(raw.value());
            } catch (IllegalArgumentException | DateTimeParseException e) {
                record(key, name, secret, null, from);
                throw new IllegalStateException(key + " (" + from + ") is not " + what
                        + (secret ? "" : ": \"" + raw.value() + "\""));
            }
        }
        record(key, name, secret, value == null ? null : show.apply(value), from);
        return value;
    }

    private void record(String key, String name, boolean secret, String value, String from) {
        String shown = secret && value != null && !value.isEmpty() ? MASK : value;
        seen.put(key, new Seen(key, name, secret, shown, from));
    }

    private synchronized void claim(String name, String key) {
        String other = envNames.putIfAbsent(name, key);
        if (other != null && !other.equals(key)) {
            throw new IllegalStateException("settings " + other + " and " + key + " would both be set by "
                    + name + ": rename one");
        }
    }

    private Raw raw(String key, String name, boolean secret) {
        String v = overrides.get(key);
        if (!blank(v)) {
            return new Raw(v.strip(), "override");
        }
        String direct = env.get(name);
        String fileName = secret ? env.get(name + "_FILE") : null;
        if (!blank(direct) && !blank(fileName)) {
            throw new IllegalStateException("both " + name + " and " + name + "_FILE are set for " + key
                    + ": set one");
        }
        if (!blank(direct)) {
            return new Raw(direct.strip(), "env " + name);
        }
        if (!blank(fileName)) {
            String content = readSecretFile(key, name + "_FILE", fileName.strip());
            if (!content.isEmpty()) {
                return new Raw(content, "env " + name + "_FILE");
            }
        }
        v = system.get(key);
        if (!blank(v)) {
            return new Raw(v.strip(), "system property");
        }
        if (file != null) {
            Config node = file.get(key);
            if (node.exists()) {
                String value = switch (node.type()) {
                    case LIST -> String.join(",", node.asList(String.class).get());
                    case OBJECT -> throw new IllegalStateException(this.fileName + ": " + key
                            + " is a section, not a value");
                    default -> node.asString().orElse("");
                };
                if (!blank(value)) {
                    return new Raw(value.strip(), "RF_CONFIG");
                }
            }
        }
        return null;
    }

    private static String readSecretFile(String key, String variable, String path) {
        try {
            return Files.readString(Path.of(path), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException(variable + " names a file that cannot be read (" + key + "): " + path);
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String names(String env, boolean secret) {
        return secret ? env + " or " + env + "_FILE" : env;
    }

    // --- values -------------------------------------------------------------------------------------------------

    private static boolean parseFlag(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(s);
        };
    }

    private static List<String> parseList(String s) {
        return Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).toList();
    }

    /** A duration as an operator writes it: whole days as {@code P30D}, anything else as {@link Duration#toString}. */
    public static String show(Duration d) {
        if (d.isPositive() && d.getNano() == 0 && d.getSeconds() % 86_400 == 0) {
            return "P" + d.toDays() + "D";
        }
        return d.toString();
    }

    /** A number without a trailing {@code .0} when it is whole. */
    public static String show(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }

    private static Optional<String> closest(String name, Set<String> known) {
        String best = null;
        int bestDistance = 3;
        for (String k : known) {
            int d = distance(name, k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        return Optional.ofNullable(best);
    }

    /** Levenshtein distance, enough to tell a typo from a different name. */
    static int distance(String a, String b) {
        if (Math.abs(a.length() - b.length()) > 2) {
            return 3;
        }
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
