package dev.runeforge.architecture;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import dev.runeforge.testsupport.IoFree;
import org.junit.jupiter.api.Test;

/**
 * common's pure packages (the protocol records and the other shared values with their one reader and writer) import
 * no I/O (docs/architecture.md, Packages); and the rule that says so does catch an offender.
 */
class IoFreeTest {
    private static final String[] PURE = {
        "dev.runeforge.common.protocol..", "dev.runeforge.common.json..", "dev.runeforge.common.auth..",
        "dev.runeforge.common.permalink..", "dev.runeforge.common.session..", "dev.runeforge.common.player..",
        "dev.runeforge.common.save..", "dev.runeforge.common.media.."
    };

    @Test
    void protocolRecordsAndSharedValuesImportNoIo() {
        IoFree.rule(resideInAnyPackage(PURE)).check(IoFree.mainClasses("dev.runeforge.common"));
    }

    @Test
    void aClassThatReachesNatsBreaksTheRule() {
        JavaClasses offender = new ClassFileImporter().importPackages("dev.runeforge.architecture.offender");
        EvaluationResult result = IoFree.rule(resideInAPackage("dev.runeforge.architecture.offender.."))
            .evaluate(offender);
        String report = result.getFailureReport().toString();
        assertTrue(result.hasViolation() && report.contains("io.nats.client.Connection"), report);
    }

    @Test
    void aRuleThatSelectsNoClassFailsInsteadOfPassing() {
        JavaClasses none = new ClassFileImporter().importPackages("dev.runeforge.architecture.offender");
        AssertionError failure = assertThrows(AssertionError.class,
            () -> IoFree.rule(resideInAPackage("dev.runeforge.no.such.package..")).check(none));
        assertTrue(failure.getMessage().contains("failed to check any classes"), failure.getMessage());
    }
}
