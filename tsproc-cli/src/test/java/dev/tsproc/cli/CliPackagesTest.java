package dev.tsproc.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.tsproc.testkit.CoreExports;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The CLI's packages depend in one direction: {@code cli} (Main) → {@code cli.command} →
 * {@code cli.output}, {@code cli.report}, {@code cli.status} → tsproc-core. Printers, the report
 * and the status endpoint know nothing of commands nor of each other, so each can change (or be
 * reused) alone. docs/DESIGN-NOTES.md ("Package layering") says why. And the CLI is a user of the
 * library like any other: it uses only the packages tsproc-core's module-info exports.
 */
class CliPackagesTest {
    private static final JavaClasses CLI = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tsproc.cli");

    @Test
    void commandsUseThePrintersReportAndStatusNeverTheReverse() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("main").definedBy("dev.tsproc.cli")
                .layer("command").definedBy("dev.tsproc.cli.command..")
                .layer("output").definedBy("dev.tsproc.cli.output..")
                .layer("report").definedBy("dev.tsproc.cli.report..")
                .layer("status").definedBy("dev.tsproc.cli.status..")
                .whereLayer("main").mayNotBeAccessedByAnyLayer()
                .whereLayer("command").mayOnlyBeAccessedByLayers("main")
                .whereLayer("output").mayOnlyBeAccessedByLayers("command")
                .whereLayer("report").mayOnlyBeAccessedByLayers("command")
                .whereLayer("status").mayOnlyBeAccessedByLayers("command")
                .check(CLI);
    }

    @Test
    void theCliUsesOnlyThePackagesCoreExports() {
        noClasses().that().resideInAPackage("dev.tsproc.cli..")
                .should().dependOnClassesThat(CoreExports.unexportedCoreClass())
                .check(CLI);
    }
}
