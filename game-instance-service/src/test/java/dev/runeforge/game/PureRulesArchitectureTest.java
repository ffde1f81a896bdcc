package dev.runeforge.game;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import dev.runeforge.game.bus.ActionHandler;
import dev.runeforge.game.dice.DiceRules;
import dev.runeforge.game.engine.SessionStep;
import dev.runeforge.game.notation.DiceFormula;
import dev.runeforge.game.ownership.Balance;
import dev.runeforge.game.ownership.PartitionManager;
import dev.runeforge.game.rps.RpsRules;
import dev.runeforge.game.tactics.TacticsRules;
import dev.runeforge.testsupport.IoFree;
import org.junit.jupiter.api.Test;

/**
 * The game engine, every game's rules (dice, tactics, rps, and any package a new game adds under {@code game}), the
 * dice notation, chat and the ownership plan are pure: they import no NATS, JDBC, HTTP or metrics class. The I/O
 * lives in {@code game} ({@code Main}), {@code game.bus} and {@code ownership.PartitionManager}/{@code Liveness}.
 */
class PureRulesArchitectureTest {
    /** Everything under {@code game} but its I/O: Main, the bus side and the ownership loop (its plan is pure). */
    private static final DescribedPredicate<JavaClass> PURE = resideInAPackage("dev.runeforge.game..")
            .and(not(resideInAnyPackage("dev.runeforge.game", "dev.runeforge.game.bus..",
                    "dev.runeforge.game.ownership..")))
            .or(describe("ownership.Balance",
                    type -> type.getName().matches("dev\\.runeforge\\.game\\.ownership\\.Balance(\\$.*)?")));

    private static final JavaClasses MAIN = IoFree.mainClasses("dev.runeforge.game");

    @Test
    void engineRulesAndBalancePlanImportNoIo() {
        IoFree.rule(PURE).check(MAIN);
    }

    @Test
    void theEngineEveryGameAndTheBalancePlanAreHeldPureAndTheBusSideIsNot() {
        List<Class<?>> pure = List.of(SessionStep.class, DiceRules.class, RpsRules.class, TacticsRules.class,
                DiceFormula.class, Balance.class);
        List<Class<?>> io = List.of(Main.class, ActionHandler.class, PartitionManager.class);
        assertEquals(List.of(), pure.stream().filter(c -> !PURE.test(MAIN.get(c))).toList());
        assertEquals(List.of(), io.stream().filter(c -> PURE.test(MAIN.get(c))).toList());
    }
}
