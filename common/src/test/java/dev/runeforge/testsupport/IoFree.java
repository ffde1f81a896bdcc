package dev.runeforge.testsupport;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.Objects;

/**
 * The architecture rule that keeps pure code pure: the classes it names may not depend on NATS, JDBC, HTTP, metrics or
 * tracing classes. Pure code (the game rules, the protocol records) gets time, randomness and ids through its inputs;
 * the I/O lives in the packages beside it (docs/architecture.md lists which are which).
 */
public final class IoFree {
    /** Packages whose classes do I/O: the bus, databases, HTTP (server and client), metrics and tracing. */
    public static final String[] IO_PACKAGES = {
        "io.nats..", "java.sql..", "javax.sql..", "io.helidon..", "java.net.http..", "io.micrometer..",
        "io.opentelemetry.."
    };

    private IoFree() {
    }

    /** The main (not test) classes of {@code packages} and their subpackages, as the rule reads them. */
    public static JavaClasses mainClasses(String... packages) {
        return new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(packages);
    }

    /**
     * No class that {@code pure} selects depends on a class in {@link #IO_PACKAGES}. The rule also fails when
     * {@code pure} selects nothing (ArchUnit's default), so a renamed package cannot make it pass vacuously.
     */
    public static ArchRule rule(DescribedPredicate<? super JavaClass> pure) {
        Objects.requireNonNull(pure, "pure");
        return noClasses().that(pure)
            .should().dependOnClassesThat().resideInAnyPackage(IO_PACKAGES)
            .because("pure code takes its inputs as values and does no I/O (docs/architecture.md)");
    }
}
