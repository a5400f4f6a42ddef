package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Interrupting an import ends it promptly, with InterruptedException, and leaves no store and no partial file. */
class CsvImportCancellationTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    @Timeout(60)
    void anInterruptedImportStopsAndLeavesNothing(boolean gzip) throws Exception {
        Path csv = dir.resolve(gzip ? "big.csv.gz" : "big.csv");
        try (OutputStream raw = Files.newOutputStream(csv);
             OutputStream out = new BufferedOutputStream(gzip ? new GZIPOutputStream(raw) : raw, 1 << 16)) {
            out.write("series,ts,value\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < 3_000_000; i++) { // out of time order, so the import also sorts
                out.write(("s" + (i % 100) + "," + (i * 7919L % 3_000_000) + "," + i + ".5\n").getBytes(StandardCharsets.US_ASCII));
            }
        }
        Path target = dir.resolve("big.tsp");
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch parsing = new CountDownLatch(1);
        Thread importer = Thread.ofPlatform().start(() -> {
            try {
                CsvImporter.importFile(csv, target, CsvOptions.builder().threads(2).build(), (bytes, rows) -> parsing.countDown());
                outcome.set(new AssertionError("finished before the interrupt"));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        parsing.await(); // inside the import: its first chunk is parsed
        importer.interrupt();
        importer.join(); // the @Timeout guards a hang
        assertThat(outcome.get()).isInstanceOf(InterruptedException.class);
        assertThat(target).doesNotExist();
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("."));
        }
    }
}
