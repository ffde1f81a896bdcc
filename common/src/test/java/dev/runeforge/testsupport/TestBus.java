package dev.runeforge.testsupport;

import dev.runeforge.common.bus.Subjects;
import io.nats.client.Connection;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A private bus for each test: a fresh namespace of {@link TestNats} ({@link TestNats#newNamespace()}), its
 * {@link Subjects}, and a connection as {@link TestNats#DRIVER} ({@link TestNats#connect()}). Register it with
 * {@code @RegisterExtension final TestBus bus = new TestBus();}.
 *
 * <p>JUnit runs it around the test class's own {@code @BeforeEach} and {@code @AfterEach} methods: the namespace and
 * the connection exist before the class's {@code @BeforeEach} methods run, and the connection is closed and the
 * namespace deleted only after its {@code @AfterEach} methods ran. So what a test starts in {@code @BeforeEach} with
 * {@link #nc()} and stops in {@code @AfterEach} is stopped before its namespace goes.
 */
public final class TestBus implements BeforeEachCallback, AfterEachCallback {
    private String namespace;
    private Subjects subjects;
    private Connection nc;

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        namespace = TestNats.newNamespace();
        subjects = new Subjects(namespace);
        nc = TestNats.connect();
    }

    /** Closes the connection, then deletes the namespace's streams and buckets, even when closing failed. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        try {
            if (nc != null) {
                nc.close();
            }
        } finally {
            if (namespace != null) {
                TestNats.deleteNamespace(namespace);
            }
        }
    }

    /** This test's namespace ({@code t} + 8 hex digits). */
    public String namespace() {
        return started(namespace);
    }

    /** The subjects, streams and buckets of {@link #namespace()}. */
    public Subjects subjects() {
        return started(subjects);
    }

    /** This test's connection as {@link TestNats#DRIVER}; closed after the test class's {@code @AfterEach} methods. */
    public Connection nc() {
        return started(nc);
    }

    private static <T> T started(T value) {
        if (value == null) {
            throw new IllegalStateException("TestBus makes its bus before each test: use it in a test or an "
                    + "@BeforeEach method, not in a field initialiser");
        }
        return value;
    }
}
