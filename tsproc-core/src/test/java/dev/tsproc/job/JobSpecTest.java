package dev.tsproc.job;

import dev.tsproc.testkit.JobJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobSpecTest {
    @TempDir
    Path dir;

    @Test
    void loadsBuiltinJobsByName() throws Exception {
        try (JobSpec.Loaded loaded = JobSpec.builtin("STATS").load()) {
            assertThat(loaded.job()).isInstanceOf(QueryJob.class);
            assertThat(loaded.job().name()).isEqualTo("stats");
            assertThat(loaded.loader()).isNull();
        }
        assertThatThrownBy(() -> new JobSpec("sum", Map.of("x", "1"), List.of()).load())
                .hasMessageContaining("the built-in job sum takes no parameters");
    }

    @Test
    void loadsAJobClassFromAJarWithItsParameters() throws Exception {
        Path jar = JobJars.compile(dir, "example.AboveJob", JobJars.ABOVE_JOB, dir.resolve("jobs.jar"));
        JobSpec spec = new JobSpec("example.AboveJob", Map.of("threshold", "0.5"), List.of(jar));
        try (JobSpec.Loaded loaded = spec.load()) {
            assertThat(loaded.job().name()).isEqualTo("above");
            assertThat(loaded.job()).isInstanceOf(PartialCodec.class);
            assertThat(loaded.job().getClass().getClassLoader()).isSameAs(loaded.loader());
        }
        assertThatThrownBy(() -> new JobSpec("example.AboveJob", Map.of(), List.of(jar)).load())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job example.AboveJob rejected its parameters {}: AboveJob takes one parameter, threshold");
        assertThatThrownBy(() -> new JobSpec("example.AboveJob", Map.of("threshold", "0.5"), List.of()).load())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job class example.AboveJob was not found in the class path");
    }

    @Test
    void refusesClassesThatAreNotJobs() {
        assertThatThrownBy(() -> new JobSpec("java.lang.String", Map.of(), List.of()).load())
                .hasMessage("class java.lang.String does not implement dev.tsproc.job.Job");
        assertThatThrownBy(() -> new JobSpec("no.such.Job", Map.of(), List.of(dir.resolve("missing.jar"))).load())
                .hasMessageContaining("missing.jar is not a readable file");
    }

    @Test
    void validatesItsFields() {
        assertThatThrownBy(() -> new JobSpec("", Map.of(), List.of())).hasMessageContaining("must have 1 to 256");
        assertThatThrownBy(() -> new JobSpec("not a class", Map.of(), List.of())).hasMessageContaining("unknown job 'not a class'");
        assertThatThrownBy(() -> new JobSpec("a.B", Map.of("1bad", "x"), List.of())).hasMessageContaining("parameter name '1bad'");
        assertThatThrownBy(() -> new JobSpec("a.B", Map.of("k", "line\nbreak"), List.of())).hasMessageContaining("no control characters");
        assertThatThrownBy(() -> new JobSpec("a.B", Map.of("k", "x".repeat(JobSpec.MAX_VALUE_LENGTH + 1)), List.of()))
                .hasMessageContaining("at most 4096 characters");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i <= JobSpec.MAX_PARAMETERS; i++) {
            many.put("k" + i, "v");
        }
        assertThatThrownBy(() -> new JobSpec("a.B", many, List.of())).hasMessageContaining("65 job parameters are more than 64");
    }

    @Test
    void keepsParametersSortedAndJarsAbsolute() {
        JobSpec spec = new JobSpec("a.B", Map.of("z", "1", "a", "2"), List.of(Path.of("rel/x.jar")));
        assertThat(spec.parameters().keySet()).containsExactly("a", "z");
        assertThat(spec.jars().getFirst()).isAbsolute();
        assertThat(spec).isEqualTo(new JobSpec("a.B", Map.of("a", "2", "z", "1"), List.of(Path.of("rel/x.jar"))));
    }
}
