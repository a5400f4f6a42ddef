package dev.tsproc.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The packages of tsproc-core follow the data path, left to right: a package may use the
 * stages to its left, never those to its right (docs/ARCHITECTURE in DESIGN.md).
 */
class DataPathLayersTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tsproc");

    @Test
    void packagesDependOnlyOnEarlierStagesOfTheDataPath() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("data").definedBy("dev.tsproc.data..")
                .layer("store").definedBy("dev.tsproc.store..")
                .layer("ingest").definedBy("dev.tsproc.ingest..")
                .layer("job").definedBy("dev.tsproc.job..")
                .layer("observe").definedBy("dev.tsproc.observe..")
                // exec.process is the worker-process half of the exec stage, so it counts as exec.
                .layer("exec").definedBy("dev.tsproc.exec..")
                .whereLayer("exec").mayNotBeAccessedByAnyLayer()
                .whereLayer("observe").mayOnlyBeAccessedByLayers("exec")
                .whereLayer("job").mayOnlyBeAccessedByLayers("observe", "exec")
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("job", "observe", "exec")
                .whereLayer("store").mayOnlyBeAccessedByLayers("ingest", "job", "observe", "exec")
                .withOptionalLayers(true)
                .check(CORE);
    }
}
