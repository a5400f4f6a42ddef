package dev.tsproc.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The CLI's packages depend in one direction: {@code cli} (Main) → {@code cli.command} →
 * {@code cli.output}, {@code cli.report}, {@code cli.status} → tsproc-core. Printers, the report
 * and the status endpoint know nothing of commands nor of each other, so each can change (or be
 * reused) alone. docs/DESIGN-NOTES.md ("Package layering") says why.
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
}
