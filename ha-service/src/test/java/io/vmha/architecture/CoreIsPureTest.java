package io.vmha.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The core is pure: no I/O, no coordinator or JSON or CLI libraries, no processes, no threads or sleeps,
 * no reading the system clock, no unseeded randomness, and no dependency on the adapters around it.
 * That is what lets the simulator run it on a virtual clock.
 */
class CoreIsPureTest {
    static final String CORE = "io.vmha.core..";

    /** The rules, for any package, so that they can be shown to fail on a package that breaks them. */
    static List<ArchRule> rules(String pkg) {
        return List.of(
                noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat().resideInAnyPackage(
                        "java.io..", "java.nio..", "java.net..", "org.apache.curator..", "org.apache.zookeeper..",
                        "com.fasterxml..", "picocli..")
                        .because("the core takes decisions; adapters do I/O").allowEmptyShould(false),
                noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat()
                        .belongToAnyOf(ProcessBuilder.class, Process.class, Thread.class)
                        .because("no processes, threads or sleeps in the core").allowEmptyShould(false),
                noClasses().that().resideInAPackage(pkg).should().callMethod(System.class, "currentTimeMillis")
                        .orShould().callMethod(System.class, "nanoTime")
                        .orShould().callMethod(java.time.Instant.class, "now")
                        .because("time comes from the injected Clock").allowEmptyShould(false),
                noClasses().that().resideInAPackage(pkg).should().callConstructor(Random.class)
                        .orShould().callConstructor(Random.class, long.class)
                        .because("randomness is injected and seeded").allowEmptyShould(false),
                noClasses().that().resideInAPackage(pkg).should().dependOnClassesThat(
                        resideInAPackage("io.vmha..").and(not(resideInAPackage(pkg))))
                        .because("the core knows only itself and its ports").allowEmptyShould(false));
    }

    @Test
    void coreIsPure() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.vmha");
        assertFalse(main.that(resideInAPackage(CORE)).isEmpty(), "no core classes imported: the rules would be vacuous");
        assertTrue(main.contain(io.vmha.core.HostLogic.class));
        for (ArchRule rule : rules(CORE)) rule.check(main);
    }

    @Test
    void everyRuleCatchesItsViolation() {
        String pkg = "io.vmha.architecture.violation..";
        JavaClasses fixture = new ClassFileImporter().importPackages("io.vmha.architecture.violation");
        assertFalse(fixture.isEmpty());
        for (ArchRule rule : rules(pkg)) {
            assertThrows(AssertionError.class, () -> rule.check(fixture), "rule did not fire: " + rule.getDescription());
        }
    }
}
