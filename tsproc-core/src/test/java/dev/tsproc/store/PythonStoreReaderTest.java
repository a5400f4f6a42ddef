package dev.tsproc.store;

import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import dev.tsproc.testkit.Python;
import dev.tsproc.testkit.StoreRows;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code python/tsproc_store.py} (docs/PYTHON.md) opens stores on disk and in shared memory as
 * NumPy views of the mapping and as a pyarrow table over the same memory, with every row as
 * tsproc wrote it.
 */
class PythonStoreReaderTest {
    @TempDir
    Path dir;

    private static final String READ = StoreRows.PRINT + """
            import numpy as np, tsproc_store
            columns, names = tsproc_store.open_store(sys.argv[1])
            for name, array in columns.items():   # views of the mapping, not copies
                assert not array.flags["OWNDATA"] and not array.flags["WRITEABLE"], name
            table = tsproc_store.to_arrow(columns, names)
            assert table.column("ts").chunk(0).buffers()[1].address == columns["ts"].ctypes.data
            assert table.column("value").chunk(0).buffers()[1].address == columns["value"].ctypes.data
            series = table.column("series").to_pylist() if "series" in columns else [""] * table.num_rows
            for s, t, v in zip(series, columns["ts"].tolist(), table.column("value").to_pylist()):
                print(line(s, t, v))
            """;

    @Test
    void readsStoresOnDiskAndInSharedMemoryWithoutCopying() throws Exception {
        Path onDisk = dir.resolve("walk.tsp");
        Generator.generate(new GeneratorSpec(50_000, 17, 0.2, Distribution.WALK, 3), onDisk, 2);
        assertThat(Python.run(dir, READ, onDisk.toString()).lines().toList()).isEqualTo(StoreRows.of(onDisk));
        Path shared = SharedSegments.newStandaloneStorePath();
        try {
            Generator.generate(new GeneratorSpec(20_000, 0, 0.33, Distribution.TALK, 4), shared, 2);
            assertThat(Python.run(dir, READ, shared.toString()).lines().toList()).isEqualTo(StoreRows.of(shared));
        } finally {
            Files.deleteIfExists(shared);
        }
    }
}
