package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * RELIABILITY row 17: a store truncated by someone else while a run reads it faults on access to
 * the pages past the new end; the JVM turns that into an {@link InternalError}, which the run
 * reports as one sentence with exit code 1 — never a crash of the JVM (no hs_err file).
 */
class TruncatedStoreTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"threads", "processes"})
    void aStoreTruncatedMidRunFailsTheRunInOneSentence(String executor) throws Exception {
        Path store = dir.resolve("s.tsp");
        Generator.generate(GeneratorSpec.talk(2_000_000), store, 2);
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", store.toString(),
                "--job", FaultJob.class.getName(), "--param", "millis=5", "--param", "read=true",
                "--batch-rows", "2000", "--workers", "2", "--executor", executor, "--log"));
        Process run = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(run.getInputStream()))) {
            // truncate once the workers are well into the job, then read the rest
            int results = 0;
            for (String line; (line = lines.readLine()) != null; ) {
                out.append(line).append('\n');
                if (line.contains("result received") && ++results == 50) {
                    try (RandomAccessFile file = new RandomAccessFile(store.toFile(), "rw")) {
                        file.setLength(4096);
                    }
                }
            }
        }
        assertThat(run.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(run.exitValue()).as(out.toString()).isEqualTo(ExitCodes.FAILED);
        assertThat(out.toString()).contains("the store was truncated or removed while being read").doesNotContain("\tat ");
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith("hs_err"));
        }
    }
}
