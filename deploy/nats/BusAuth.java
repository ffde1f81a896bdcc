import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.EdECPrivateKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Rune Forge's bus permissions: the table (deploy/nats/permissions.txt) in, the NATS server's accounts block out,
 * plus the identities' NATS keys (nkeys). A single-file program with nothing but the JDK, so that provisioning runs
 * it before anything is built ({@code java deploy/nats/BusAuth.java ...}, or deploy/nats/bus-auth.sh), and the test
 * support compiles and calls the same code ({@link #run}).
 *
 * <pre>
 *   render  [--table F] [--namespace NS]... [--keys DIR [--make-keys]] [--superuser NAME]... [--out FILE]
 *           the accounts block for NS (default rf; several: one account holding each namespace's rules). Each
 *           identity's public nkey comes from DIR/&lt;identity&gt;.pub, or without --keys from the server's environment
 *           ($NKEY_&lt;IDENTITY&gt;, e.g. NKEY_GATEWAY_SERVICE); --make-keys first makes the keys DIR lacks (as keys does).
 *           --superuser adds a user allowed everything (tests only).
 *   keys    --dir DIR [--table F] [--identity NAME]...   an nkey pair per identity that has none yet:
 *           DIR/&lt;identity&gt;.nk (the seed, secret, mode 0600) and DIR/&lt;identity&gt;.pub (the public key)
 *   env     --dir DIR [--table F]          NKEY_&lt;IDENTITY&gt;=&lt;public key&gt; lines: the NATS server's environment
 *   explain [--table F] [--namespace NS]   every identity's subjects, expanded
 *   check   [--table F] FILE...            each FILE must be the committed rendering (namespace rf, keys from the
 *                                          environment); exit 1 when one is stale
 *   public-key SEED_FILE                   the public key of a seed
 * </pre>
 */
public final class BusAuth {
    /** The table's default place, relative to the repository root. */
    public static final String TABLE = "deploy/nats/permissions.txt";
    /** The one account every deployment's identities live in. */
    public static final String ACCOUNT = "RUNEFORGE";

    private static final Pattern IDENTITY = Pattern.compile("[a-z][a-z0-9-]{0,62}");
    private static final Pattern NAMESPACE = Pattern.compile("[a-z][a-z0-9]{0,15}");
    private static final Pattern SUBJECT = Pattern.compile("[^\\s\"]+");

    private BusAuth() {
    }

    /** One line of the table. */
    public record Rule(String identity, String verb, List<String> args, int line) {
    }

    /** What one identity may do once the rules are expanded for some namespaces. */
    public record Perms(TreeSet<String> pub, TreeSet<String> sub, boolean reply) {
        Perms() {
            this(new TreeSet<>(), new TreeSet<>(), false);
        }

        Perms withReply() {
            return new Perms(pub, sub, true);
        }
    }

    public static void main(String[] args) {
        int status = run(args, System.out, System.err);
        if (status != 0) {
            System.exit(status);
        }
    }

    /** The command line without exiting: 0 done, 1 a check failed, 2 bad usage or input. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            return command(new ArrayList<>(Arrays.asList(args)), out, err);
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
            err.println("bus-auth: " + e.getMessage());
            return 2;
        }
    }

    private static int command(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()) {
            throw new IllegalArgumentException("usage: render | keys | env | explain | check | public-key (see deploy/nats/BusAuth.java)");
        }
        String command = args.remove(0);
        Path table = Path.of(option(args, "--table", TABLE));
        switch (command) {
            case "render" -> {
                List<String> namespaces = options(args, "--namespace");
                String keys = option(args, "--keys", null);
                boolean makeKeys = args.remove("--make-keys");
                List<String> superusers = options(args, "--superuser");
                String outFile = option(args, "--out", null);
                done(args);
                if (makeKeys) {
                    if (keys == null) {
                        throw new IllegalArgumentException("--make-keys needs --keys DIR");
                    }
                    List<String> all = new ArrayList<>(identities(parse(table)));
                    all.addAll(superusers);
                    all.forEach(identity -> ensureKeys(Path.of(keys), identity));
                }
                String text = render(parse(table), namespaces.isEmpty() ? List.of("rf") : namespaces, superusers,
                        keys == null ? BusAuth::envReference : identity -> publicKeyIn(Path.of(keys), identity));
                if (outFile == null) {
                    out.print(text);
                } else {
                    writeAtomically(Path.of(outFile), text);
                }
                return 0;
            }
            case "keys" -> {
                Path dir = Path.of(required(args, "--dir"));
                List<String> extra = options(args, "--identity");
                done(args);
                List<String> identities = new ArrayList<>(identities(parse(table)));
                extra.stream().filter(i -> !identities.contains(i)).forEach(identities::add);
                for (String identity : identities) {
                    if (ensureKeys(dir, identity)) {
                        out.println("keys: " + identity + " " + publicKeyIn(dir, identity));
                    }
                }
                return 0;
            }
            case "env" -> {
                Path dir = Path.of(required(args, "--dir"));
                done(args);
                for (String identity : identities(parse(table))) {
                    out.println(envName(identity) + "=" + publicKeyIn(dir, identity));
                }
                return 0;
            }
            case "explain" -> {
                List<String> namespaces = options(args, "--namespace");
                done(args);
                expand(parse(table), namespaces.isEmpty() ? List.of("rf") : namespaces).forEach((identity, p) -> {
                    out.println(identity + (p.reply() ? " (answers requests)" : ""));
                    p.pub().forEach(s -> out.println("  pub " + s));
                    p.sub().forEach(s -> out.println("  sub " + s));
                });
                return 0;
            }
            case "check" -> {
                List<String> files = new ArrayList<>(args);
                args.clear();
                if (files.isEmpty()) {
                    throw new IllegalArgumentException("check: name the rendered files to compare");
                }
                String expected = render(parse(table), List.of("rf"), List.of(), BusAuth::envReference);
                int stale = 0;
                for (String f : files) {
                    String actual = read(Path.of(f));
                    if (!actual.equals(expected)) {
                        err.println("bus-auth: " + f + " is not the rendering of " + table
                                + " (run: deploy/nats/bus-auth.sh render --out " + f + ")");
                        stale++;
                    }
                }
                if (stale == 0) {
                    out.println("bus-auth: " + String.join(", ", files) + " match " + table);
                }
                return stale == 0 ? 0 : 1;
            }
            case "public-key" -> {
                if (args.size() != 1) {
                    throw new IllegalArgumentException("usage: public-key SEED_FILE");
                }
                out.println(Nkey.publicKeyOfSeed(read(Path.of(args.remove(0))).strip()));
                return 0;
            }
            default -> throw new IllegalArgumentException("unknown command " + command);
        }
    }

    // --- the table -------------------------------------------------------------------------------------------------

    public static List<Rule> parse(Path table) {
        List<Rule> rules = new ArrayList<>();
        String[] lines = read(table).split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            int hash = line.indexOf('#');
            String text = (hash >= 0 ? line.substring(0, hash) : line).strip();
            if (text.isEmpty()) {
                continue;
            }
            List<String> words = Arrays.asList(text.split("\\s+"));
            String where = table + ":" + (i + 1) + ": ";
            if (words.size() < 2 || !IDENTITY.matcher(words.get(0)).matches()) {
                throw new IllegalArgumentException(where + "expected <identity> <verb> [arguments]");
            }
            Rule rule = new Rule(words.get(0), words.get(1), List.copyOf(words.subList(2, words.size())), i + 1);
            int arity = switch (rule.verb()) {
                case "inbox", "reply", "answer" -> 0;
                case "pub", "sub", "stream-own", "kv-create", "kv-read", "kv-watch", "kv-write" -> 1;
                case "consume" -> 2;
                default -> throw new IllegalArgumentException(where + "unknown verb " + rule.verb());
            };
            if (rule.args().size() != arity) {
                throw new IllegalArgumentException(where + rule.verb() + " takes " + arity + " argument(s)");
            }
            for (String arg : rule.args()) {
                if (!SUBJECT.matcher(arg).matches()) {
                    throw new IllegalArgumentException(where + "not a subject or name: " + arg);
                }
            }
            rules.add(rule);
        }
        if (rules.isEmpty()) {
            throw new IllegalArgumentException(table + ": no rules");
        }
        return rules;
    }

    public static List<String> identities(List<Rule> rules) {
        return rules.stream().map(Rule::identity).distinct().toList();
    }

    /** Every identity's subjects for {@code namespaces} (in table order). */
    public static Map<String, Perms> expand(List<Rule> rules, List<String> namespaces) {
        Map<String, Perms> all = new LinkedHashMap<>();
        for (String ns : namespaces) {
            if (!NAMESPACE.matcher(ns).matches()) {
                throw new IllegalArgumentException("namespace must be 1-16 lowercase letters/digits, starting with a letter: " + ns);
            }
            for (Rule rule : rules) {
                Perms p = all.computeIfAbsent(rule.identity(), i -> new Perms());
                List<String> a = rule.args().stream().map(arg -> arg.replace("{ns}", ns)
                        .replace("{NS}", ns.toUpperCase(Locale.ROOT))).toList();
                String api = "$JS.API.";
                switch (rule.verb()) {
                    case "pub" -> p.pub().add(a.get(0));
                    case "sub" -> p.sub().add(a.get(0));
                    case "inbox" -> p.sub().add(inboxPrefix(ns, rule.identity()) + ".>");
                    case "reply" -> all.put(rule.identity(), p.withReply());
                    // Any inbox of the namespace, without allow_responses: see the table's header.
                    case "answer" -> p.pub().add("_INBOX." + ns + ".>");
                    case "stream-own" -> {
                        p.pub().add(api + "STREAM.INFO." + a.get(0));
                        p.pub().add(api + "STREAM.CREATE." + a.get(0));
                        p.pub().add(api + "STREAM.UPDATE." + a.get(0));
                        p.pub().add(api + "STREAM.MSG.GET." + a.get(0));
                        p.pub().add(api + "DIRECT.GET." + a.get(0));
                        p.pub().add(api + "DIRECT.GET." + a.get(0) + ".>");
                    }
                    case "consume" -> {
                        String stream = a.get(0);
                        String consumer = a.get(1);
                        p.pub().add(api + "STREAM.INFO." + stream);
                        if (consumer.equals("*")) {
                            // Ephemeral consumers (no name) and named ones, with or without a filter subject.
                            p.pub().add(api + "CONSUMER.CREATE." + stream);
                            p.pub().add(api + "CONSUMER.CREATE." + stream + ".>");
                        } else {
                            p.pub().add(api + "CONSUMER.CREATE." + stream + "." + consumer);
                            p.pub().add(api + "CONSUMER.CREATE." + stream + "." + consumer + ".>");
                        }
                        p.pub().add(api + "CONSUMER.DURABLE.CREATE." + stream + "." + consumer);
                        p.pub().add(api + "CONSUMER.INFO." + stream + "." + consumer);
                        p.pub().add(api + "CONSUMER.DELETE." + stream + "." + consumer);
                        p.pub().add(api + "CONSUMER.MSG.NEXT." + stream + "." + consumer);
                        p.pub().add("$JS.ACK." + stream + "." + consumer + ".>");
                    }
                    case "kv-create" -> {
                        p.pub().add(api + "STREAM.INFO.KV_" + a.get(0));
                        p.pub().add(api + "STREAM.CREATE.KV_" + a.get(0));
                        p.pub().add(api + "STREAM.UPDATE.KV_" + a.get(0));
                    }
                    case "kv-read" -> {
                        String stream = "KV_" + a.get(0);
                        p.pub().add(api + "STREAM.INFO." + stream);
                        p.pub().add(api + "STREAM.MSG.GET." + stream);
                        p.pub().add(api + "DIRECT.GET." + stream);
                        p.pub().add(api + "DIRECT.GET." + stream + ".>");
                    }
                    case "kv-watch" -> {
                        String stream = "KV_" + a.get(0);
                        p.pub().add(api + "STREAM.INFO." + stream);
                        p.pub().add(api + "CONSUMER.CREATE." + stream);
                        p.pub().add(api + "CONSUMER.CREATE." + stream + ".>");
                        p.pub().add(api + "CONSUMER.INFO." + stream + ".*");
                        p.pub().add(api + "CONSUMER.DELETE." + stream + ".*");
                        p.pub().add("$JS.FC." + stream + ".>");
                    }
                    case "kv-write" -> p.pub().add("$KV." + a.get(0) + ".>");
                    default -> throw new IllegalStateException("verb " + rule.verb());
                }
            }
        }
        return all;
    }

    /** The inbox prefix a service of {@code identity} uses in {@code namespace} (common's NatsSettings says the same). */
    public static String inboxPrefix(String namespace, String identity) {
        return "_INBOX." + namespace + "." + identity;
    }

    // --- the server config -----------------------------------------------------------------------------------------

    /**
     * The accounts block: one account, {@link #ACCOUNT}, with JetStream, and one nkey user per identity (plus the
     * superusers). {@code keyRef} gives the value of each user's {@code nkey:} (a literal key or a variable).
     */
    public static String render(List<Rule> rules, List<String> namespaces, List<String> superusers,
                                Function<String, String> keyRef) {
        Map<String, Perms> perms = expand(rules, namespaces);
        StringBuilder b = new StringBuilder();
        b.append("# GENERATED by deploy/nats/BusAuth.java from ").append(TABLE).append(" (namespace")
                .append(namespaces.size() == 1 ? " " : "s ").append(String.join(", ", namespaces)).append(").\n")
                .append("# Do not edit: change the table, then deploy/nats/bus-auth.sh render --out <this file>.\n")
                .append("# Included by the server's config; every connection must be one of these users.\n")
                .append("accounts {\n  ").append(ACCOUNT).append(" {\n    jetstream: enabled\n    users: [\n");
        perms.forEach((identity, p) -> {
            b.append("      # ").append(identity).append('\n')
                    .append("      {\n        nkey: ").append(keyRef.apply(identity)).append('\n')
                    .append("        permissions: {\n");
            list(b, "publish", p.pub());
            list(b, "subscribe", p.sub());
            if (p.reply()) {
                b.append("          allow_responses: true\n");
            }
            b.append("        }\n      }\n");
        });
        for (String superuser : superusers) {
            if (!IDENTITY.matcher(superuser).matches() || perms.containsKey(superuser)) {
                throw new IllegalArgumentException("superuser name " + superuser + " is invalid or an identity of the table");
            }
            b.append("      # ").append(superuser).append(": allowed everything (tests only)\n")
                    .append("      { nkey: ").append(keyRef.apply(superuser)).append(" }\n");
        }
        b.append("    ]\n  }\n}\n");
        return b.toString();
    }

    private static void list(StringBuilder b, String what, TreeSet<String> subjects) {
        b.append("          ").append(what).append(": {\n");
        if (subjects.isEmpty()) {
            // An empty allow list would mean "no restriction".
            b.append("            deny: [\">\"]\n");
        } else {
            b.append("            allow: [\n");
            subjects.forEach(s -> b.append("              \"").append(s).append("\"\n"));
            b.append("            ]\n");
        }
        b.append("          }\n");
    }

    public static String envName(String identity) {
        return "NKEY_" + identity.toUpperCase(Locale.ROOT).replace('-', '_');
    }

    private static String envReference(String identity) {
        return "$" + envName(identity);
    }

    // --- keys ------------------------------------------------------------------------------------------------------

    /** Creates {@code dir/<identity>.nk} and {@code .pub} unless both exist; true when it made them. */
    public static boolean ensureKeys(Path dir, String identity) {
        Path seed = dir.resolve(identity + ".nk");
        Path pub = dir.resolve(identity + ".pub");
        if (Files.isRegularFile(seed) && Files.isRegularFile(pub)) {
            return false;
        }
        try {
            Files.createDirectories(dir);
            String[] pair = Nkey.newUser();
            Path tmp = Files.createTempFile(dir, identity, ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's own protection is what there is
            }
            Files.writeString(tmp, pair[0] + "\n");
            Files.move(tmp, seed, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            writeAtomically(pub, pair[1] + "\n");
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write keys of " + identity + " in " + dir, e);
        }
    }

    public static String publicKeyIn(Path dir, String identity) {
        Path pub = dir.resolve(identity + ".pub");
        if (!Files.isRegularFile(pub)) {
            throw new IllegalStateException("no public key " + pub + " (run: deploy/nats/bus-auth.sh keys --dir " + dir + ")");
        }
        String key = read(pub).strip();
        if (!key.matches("U[A-Z2-7]{55}")) {
            throw new IllegalStateException(pub + " is not a user public nkey (U…, 56 characters)");
        }
        return key;
    }

    /**
     * NATS nkeys: Ed25519 keys in base32 with a type prefix and a CRC-16 (github.com/nats-io/nkeys). The JDK makes
     * the key pair; this only encodes it.
     */
    static final class Nkey {
        private static final int PREFIX_SEED = 18 << 3; // 'S'
        private static final int PREFIX_USER = 20 << 3; // 'U'
        private static final char[] BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".toCharArray();

        private Nkey() {
        }

        /** A fresh user key pair: {seed ("SU…"), public key ("U…")}. */
        static String[] newUser() {
            try {
                KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
                byte[] seed = ((EdECPrivateKey) pair.getPrivate()).getBytes().orElseThrow();
                byte[] der = pair.getPublic().getEncoded();
                byte[] pub = Arrays.copyOfRange(der, der.length - 32, der.length);
                byte[] raw = new byte[2 + 32];
                raw[0] = (byte) (PREFIX_SEED | (PREFIX_USER >> 5));
                raw[1] = (byte) ((PREFIX_USER & 31) << 3);
                System.arraycopy(seed, 0, raw, 2, 32);
                return new String[] {encode(raw), publicKey(pub)};
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 is not available in this JDK", e);
            }
        }

        static String publicKeyOfSeed(String seed) {
            byte[] raw = decode(seed);
            if (raw.length != 34 || (raw[0] & 0xff) >> 3 != PREFIX_SEED >> 3) {
                throw new IllegalArgumentException("not an nkey seed");
            }
            try {
                // The JDK offers no "public key of this private key"; its generator derives one from the random bytes
                // it draws, so hand it exactly the seed.
                var gen = KeyPairGenerator.getInstance("Ed25519");
                gen.initialize(java.security.spec.NamedParameterSpec.ED25519, new FixedRandom(Arrays.copyOfRange(raw, 2, 34)));
                byte[] der = gen.generateKeyPair().getPublic().getEncoded();
                return publicKey(Arrays.copyOfRange(der, der.length - 32, der.length));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 is not available in this JDK", e);
            }
        }

        private static String publicKey(byte[] pub) {
            byte[] raw = new byte[1 + 32];
            raw[0] = (byte) PREFIX_USER;
            System.arraycopy(pub, 0, raw, 1, 32);
            return encode(raw);
        }

        /** base32 (RFC 4648, no padding) of {@code raw} followed by its CRC-16/XMODEM, little-endian. */
        private static String encode(byte[] raw) {
            int crc = crc16(raw);
            byte[] data = Arrays.copyOf(raw, raw.length + 2);
            data[raw.length] = (byte) crc;
            data[raw.length + 1] = (byte) (crc >> 8);
            StringBuilder s = new StringBuilder();
            int buffer = 0;
            int bits = 0;
            for (byte d : data) {
                buffer = (buffer << 8) | (d & 0xff);
                bits += 8;
                while (bits >= 5) {
                    s.append(BASE32[(buffer >> (bits - 5)) & 31]);
                    bits -= 5;
                }
            }
            if (bits > 0) {
                s.append(BASE32[(buffer << (5 - bits)) & 31]);
            }
            return s.toString();
        }

        private static byte[] decode(String text) {
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            int buffer = 0;
            int bits = 0;
            for (char c : text.toCharArray()) {
                int v = c >= 'A' && c <= 'Z' ? c - 'A' : c >= '2' && c <= '7' ? c - '2' + 26 : -1;
                if (v < 0) {
                    throw new IllegalArgumentException("not base32");
                }
                buffer = (buffer << 5) | v;
                bits += 5;
                if (bits >= 8) {
                    out.write((buffer >> (bits - 8)) & 0xff);
                    bits -= 8;
                }
            }
            byte[] all = out.toByteArray();
            byte[] raw = Arrays.copyOf(all, all.length - 2);
            int crc = (all[all.length - 2] & 0xff) | (all[all.length - 1] & 0xff) << 8;
            if (crc != crc16(raw)) {
                throw new IllegalArgumentException("nkey checksum does not match");
            }
            return raw;
        }

        private static int crc16(byte[] data) {
            int crc = 0;
            for (byte b : data) {
                crc ^= (b & 0xff) << 8;
                for (int i = 0; i < 8; i++) {
                    crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                }
                crc &= 0xffff;
            }
            return crc;
        }

        /** Hands the JDK's key generator a given seed, so it derives that seed's public key. */
        private static final class FixedRandom extends java.security.SecureRandom {
            private final byte[] seed;

            FixedRandom(byte[] seed) {
                this.seed = seed.clone();
            }

            @Override
            public void nextBytes(byte[] bytes) {
                System.arraycopy(seed, 0, bytes, 0, Math.min(bytes.length, seed.length));
            }
        }
    }

    // --- small helpers ---------------------------------------------------------------------------------------------

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    private static void writeAtomically(Path file, String text) {
        try {
            Path dir = file.toAbsolutePath().getParent();
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String option(List<String> args, String name, String fallback) {
        List<String> values = options(args, name);
        if (values.size() > 1) {
            throw new IllegalArgumentException(name + " given twice");
        }
        return values.isEmpty() ? fallback : values.get(0);
    }

    private static String required(List<String> args, String name) {
        String value = option(args, name, null);
        if (value == null) {
            throw new IllegalArgumentException(name + " is required");
        }
        return value;
    }

    private static List<String> options(List<String> args, String name) {
        List<String> values = new ArrayList<>();
        for (int i = 0; i < args.size(); ) {
            if (args.get(i).equals(name)) {
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(name + " needs a value");
                }
                values.add(args.get(i + 1));
                args.subList(i, i + 2).clear();
            } else {
                i++;
            }
        }
        return values;
    }

    private static void done(List<String> args) {
        if (!args.isEmpty()) {
            throw new IllegalArgumentException("unexpected " + String.join(" ", args));
        }
    }
}
