package dev.runeforge.game.tactics;

import dev.runeforge.game.notation.DiceFormula;
import dev.runeforge.game.engine.Context;
import dev.runeforge.game.engine.Decision;
import dev.runeforge.game.engine.GameRules;
import dev.runeforge.game.engine.Viewer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The tactics game is rules only: its sources import nothing from the gateway, NATS, persistence or the engine's
 * I/O side. Only the JDK, Jackson's annotations and tree, the engine's rule interface types, the platform's error
 * codes and display-name rule, the dice notation and the games' shared chat rules.
 */
class TacticsIsolationTest {
    private static final Path SOURCES = Path.of("src/main/java/dev/runeforge/game/tactics");
    private static final Pattern IMPORT = Pattern.compile("^import\\s+(static\\s+)?([\\w.]+)(\\.\\*)?;", Pattern.MULTILINE);
    private static final Set<String> ENGINE = Set.of("dev.runeforge.game.engine.GameRules",
            "dev.runeforge.game.engine.Decision", "dev.runeforge.game.engine.Context",
            "dev.runeforge.game.engine.Viewer");
    private static final List<String> ALLOWED_PREFIXES = List.of("java.util.", "java.time.",
            "com.fasterxml.jackson.annotation.", "com.fasterxml.jackson.databind.JsonNode",
            "dev.runeforge.game.tactics.", "dev.runeforge.game.notation.DiceFormula", "dev.runeforge.game.chat.Chat",
            "dev.runeforge.common.protocol.ErrorCodes", "dev.runeforge.common.player.DisplayNames");

    @Test
    void tacticsImportsNothingFromGatewayNatsOrPersistence() throws IOException {
        List<String> offending = new ArrayList<>();
        int files = 0;
        try (Stream<Path> paths = Files.list(SOURCES)) {
            for (Path p : paths.filter(f -> f.toString().endsWith(".java")).toList()) {
                files++;
                String source = Files.readString(p);
                assertTrue(source.startsWith("package dev.runeforge.game.tactics;"), p + " is in another package");
                Matcher m = IMPORT.matcher(source);
                while (m.find()) {
                    String name = m.group(2);
                    boolean ok = ENGINE.contains(name) || ALLOWED_PREFIXES.stream().anyMatch(name::startsWith);
                    if (!ok || name.contains(".gateway") || name.startsWith("io.nats") || name.contains("persistence")
                            || name.startsWith("java.sql") || name.startsWith("java.net") || name.startsWith("java.io")) {
                        offending.add(p.getFileName() + ": " + name);
                    }
                }
                // Fully qualified references dodge imports: look for those too.
                for (String banned : List.of("io.nats", "dev.runeforge.gateway", "dev.runeforge.persistence",
                        "java.sql", "dev.runeforge.common.bus", "System.currentTimeMillis", "Instant.now",
                        "new Random", "Math.random", "ThreadLocalRandom")) {
                    if (source.contains(banned)) {
                        offending.add(p.getFileName() + ": uses " + banned);
                    }
                }
            }
        }
        assertTrue(files >= 4, "found only " + files + " sources in " + SOURCES.toAbsolutePath());
        assertEquals(List.of(), offending);
    }
}
