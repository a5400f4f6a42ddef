package dev.tsproc.bench;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import dev.tsproc.testkit.CoreExports;
import org.junit.jupiter.api.Test;

import java.net.URISyntaxException;
import java.util.Set;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The benchmarks measure tsproc as a user runs it: they use only the packages tsproc-core's
 * module-info exports. One exception, by name: {@link LatencyBench} measures the worker
 * protocol itself (how soon a dead or silent worker JVM is noticed), so it drives a
 * {@code WorkerProcess} directly.
 */
class BenchUsesCoreApiTest {
    @Test
    void benchmarksUseOnlyThePackagesCoreExports() throws URISyntaxException {
        JavaClasses bench = new ClassFileImporter().importLocations(Set.of(
                Location.of(SumBench.class.getProtectionDomain().getCodeSource().getLocation().toURI())));
        noClasses().that().doNotBelongToAnyOf(LatencyBench.class)
                .should().dependOnClassesThat(CoreExports.unexportedCoreClass())
                .check(bench);
    }
}
