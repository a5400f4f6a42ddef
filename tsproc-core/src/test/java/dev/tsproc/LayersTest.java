package dev.tsproc;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The core's packages are stages of the data path, and a stage may use only the stages to its
 * left (DESIGN.md): data, store, ingest, job, exec.process, exec, observe. The worker protocol
 * and the worker's main ({@code exec.process}) sit below the executors ({@code exec}): a worker
 * JVM needs the protocol, the store and the job, never the coordinator, the planner or the task
 * group; the executors build on the protocol.
 */
class LayersTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tsproc");

    @Test
    void eachStageUsesOnlyTheStagesToItsLeft() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("data").definedBy("dev.tsproc.data..")
                .layer("store").definedBy("dev.tsproc.store..")
                .layer("ingest").definedBy("dev.tsproc.ingest..")
                .layer("job").definedBy("dev.tsproc.job..")
                .layer("exec.process").definedBy("dev.tsproc.exec.process..")
                .layer("exec").definedBy("dev.tsproc.exec")
                .layer("observe").definedBy("dev.tsproc.observe..")
                .whereLayer("observe").mayNotBeAccessedByAnyLayer()
                .whereLayer("exec").mayOnlyBeAccessedByLayers("observe")
                .whereLayer("exec.process").mayOnlyBeAccessedByLayers("exec", "observe")
                .whereLayer("job").mayOnlyBeAccessedByLayers("exec.process", "exec", "observe")
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("job", "exec.process", "exec", "observe")
                .whereLayer("store").mayOnlyBeAccessedByLayers("ingest", "job", "exec.process", "exec", "observe")
                .whereLayer("data").mayOnlyBeAccessedByLayers("store", "ingest", "job", "exec.process", "exec", "observe")
                .withOptionalLayers(true)
                .check(CORE);
    }
}
