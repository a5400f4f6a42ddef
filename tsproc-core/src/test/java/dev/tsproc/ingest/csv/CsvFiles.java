package dev.tsproc.ingest.csv;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Writes CSV text to files and imports it, for tests. */
final class CsvFiles {
    private final Path dir;
    private static final java.util.concurrent.atomic.AtomicInteger COUNTER = new java.util.concurrent.atomic.AtomicInteger();

    CsvFiles(Path dir) {
        this.dir = dir;
    }

    Path write(String text) throws IOException {
        return write(text.getBytes(StandardCharsets.UTF_8));
    }

    Path write(byte[] bytes) throws IOException {
        return Files.write(dir.resolve("in-" + COUNTER.getAndIncrement() + ".csv"), bytes);
    }

    Path writeGzip(String text) throws IOException {
        Path file = dir.resolve("in-" + COUNTER.getAndIncrement() + ".csv.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return file;
    }

    Path target() {
        return dir.resolve("out-" + COUNTER.getAndIncrement() + ".tsp");
    }

    StoreRows load(String text, CsvOptions.Builder options) throws Exception {
        return load(write(text), options);
    }

    StoreRows load(Path csv, CsvOptions.Builder options) throws Exception {
        Path target = target();
        CsvImporter.importFile(csv, target, options.build());
        return StoreRows.read(target);
    }

    ImportResult run(String text, CsvOptions.Builder options) throws Exception {
        return CsvImporter.importFile(write(text), target(), options.build());
    }

    /** Imports expecting a failure; checks that nothing but the inputs is left in the directory. */
    CsvFormatException failure(String text, CsvOptions.Builder options) throws Exception {
        return failure(write(text), options);
    }

    CsvFormatException failure(Path csv, CsvOptions.Builder options) throws Exception {
        Path target = target();
        CsvFormatException e = catchThrowableOfType(CsvFormatException.class,
                () -> CsvImporter.importFile(csv, target, options.build()));
        assertThat(e).as("import should fail").isNotNull();
        assertThat(target).doesNotExist();
        assertNothingLeftBehind();
        return e;
    }

    /** No hidden partial store file in the directory. */
    void assertNothingLeftBehind() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names).noneMatch(n -> n.startsWith("."));
        }
    }

    static CsvOptions.Builder options() {
        return CsvOptions.builder().threads(2);
    }
}
