package dev.runeforge.architecture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The services talk over NATS only: no service module depends on another's, in main or test code. A service may
 * depend on {@code common} (and its test-jar); {@code common} on no module; {@code platform-tests}, which starts the
 * whole platform, on all. Read from the poms themselves, so a new module or a new dependency is checked too.
 */
class ModuleDependenciesTest {
    private static final String COMMON = "common";
    private static final String PLATFORM_TESTS = "platform-tests";

    @Test
    void servicesDependOnCommonOnly() throws Exception {
        Path root = reactorRoot();
        List<String> modules = elementTexts(parse(Files.readAllBytes(root.resolve("pom.xml"))), "module");
        assertTrue(modules.contains(COMMON) && modules.size() > 2, "modules read from the parent pom: " + modules);
        List<String> offences = new ArrayList<>();
        for (String module : modules) {
            Document pom = parse(Files.readAllBytes(root.resolve(module).resolve("pom.xml")));
            offences.addAll(forbiddenDependencies(module, pom, Set.copyOf(modules)));
        }
        assertEquals(List.of(), offences);
    }

    @Test
    void aServiceThatDependsOnAnotherServiceIsReported() throws Exception {
        Document pom = parse("""
            <project>
              <artifactId>gateway-service</artifactId>
              <dependencies>
                <dependency><groupId>dev.runeforge</groupId><artifactId>common</artifactId></dependency>
                <dependency><groupId>${project.groupId}</groupId><artifactId>auth-service</artifactId>
                  <scope>test</scope></dependency>
                <dependency><groupId>org.other</groupId><artifactId>game-instance-service</artifactId></dependency>
              </dependencies>
            </project>
            """.getBytes(StandardCharsets.UTF_8));
        Set<String> modules = Set.of(COMMON, "gateway-service", "auth-service", "game-instance-service",
            PLATFORM_TESTS);

        assertEquals(List.of("gateway-service depends on auth-service"),
            forbiddenDependencies("gateway-service", pom, modules));
        assertEquals(List.of("common depends on auth-service"), forbiddenDependencies(COMMON, pom, modules));
        assertEquals(List.of(), forbiddenDependencies(PLATFORM_TESTS, pom, modules));
    }

    /** Each dependency element in the pom (dependencies, managed, profiles, plugins) on a module it may not use. */
    static List<String> forbiddenDependencies(String module, Document pom, Set<String> modules) {
        Set<String> offences = new LinkedHashSet<>();
        NodeList dependencies = pom.getElementsByTagName("dependency");
        for (int i = 0; i < dependencies.getLength(); i++) {
            Element dependency = (Element) dependencies.item(i);
            String group = childText(dependency, "groupId");
            String artifact = childText(dependency, "artifactId");
            boolean ours = "dev.runeforge".equals(group) || "${project.groupId}".equals(group);
            if (ours && modules.contains(artifact) && !allowed(module, artifact)) {
                offences.add(module + " depends on " + artifact);
            }
        }
        return List.copyOf(offences);
    }

    private static boolean allowed(String module, String dependency) {
        return module.equals(PLATFORM_TESTS) || dependency.equals(COMMON);
    }

    private static String childText(Element parent, String name) {
        NodeList children = parent.getElementsByTagName(name);
        return children.getLength() == 0 ? "" : children.item(0).getTextContent().trim();
    }

    private static List<String> elementTexts(Document document, String name) {
        NodeList nodes = document.getElementsByTagName(name);
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            texts.add(nodes.item(i).getTextContent().trim());
        }
        return texts;
    }

    private static Document parse(byte[] xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(xml));
    }

    /** common/target/test-classes → the reactor root, wherever the build runs from. */
    private static Path reactorRoot() throws URISyntaxException, IOException {
        Path classes = Path.of(
            ModuleDependenciesTest.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path root = classes.getParent().getParent().getParent();
        if (!Files.isRegularFile(root.resolve(COMMON).resolve("pom.xml"))) {
            throw new IOException("no reactor root above " + classes);
        }
        return root;
    }
}
