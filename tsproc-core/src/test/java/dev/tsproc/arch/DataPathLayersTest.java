package dev.tsproc.arch;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;

/**
 * The packages of tsproc-core follow the data path, left to right: a package may use the
 * stages to its left, never those to its right (each package's package-info.java says which):
 * concurrent, data, store, ingest, job, plan, observe, exec.process, exec. {@code plan} turns a
 * job request into batches; {@code observe} watches a run of them and defines the events
 * executors emit, so both sit left of the executors.
 */
class DataPathLayersTest {
    private static final JavaClasses CORE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.tsproc");

    @Test
    void packagesDependOnlyOnEarlierStagesOfTheDataPath() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("concurrent").definedBy("dev.tsproc.concurrent..")
                .layer("data").definedBy("dev.tsproc.data..")
                .layer("store").definedBy("dev.tsproc.store..")
                .layer("ingest").definedBy("dev.tsproc.ingest..")
                .layer("job").definedBy("dev.tsproc.job..")
                .layer("plan").definedBy("dev.tsproc.plan..")
                .layer("observe").definedBy("dev.tsproc.observe..")
                // The worker protocol and the worker's main sit below the executors: a worker JVM
                // needs the protocol, the store and the job, never the coordinator or the task group.
                .layer("exec.process").definedBy("dev.tsproc.exec.process..")
                .layer("exec").definedBy("dev.tsproc.exec")
                .whereLayer("exec").mayNotBeAccessedByAnyLayer()
                .whereLayer("exec.process").mayOnlyBeAccessedByLayers("exec")
                .whereLayer("observe").mayOnlyBeAccessedByLayers("exec.process", "exec")
                .whereLayer("plan").mayOnlyBeAccessedByLayers("observe", "exec.process", "exec")
                .whereLayer("job").mayOnlyBeAccessedByLayers("plan", "observe", "exec.process", "exec")
                .whereLayer("ingest").mayOnlyBeAccessedByLayers("job", "plan", "observe", "exec.process", "exec")
                .whereLayer("store").mayOnlyBeAccessedByLayers("ingest", "job", "plan", "observe", "exec.process", "exec")
                .withOptionalLayers(true)
                .check(CORE);
    }
}
