package dev.tsproc.ingest.csv;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

class CsvImporterSmokeTest {
    @TempDir
    Path dir;

    @Test
    void importsASmallFile() throws Exception {
        Path csv = Files.writeString(dir.resolve("a.csv"), "series,ts,value\nb,3,1.5\na,1,\nb,2,-2e3\n");
        ImportResult r = CsvImporter.importFile(csv, dir.resolve("a.tsp"), CsvOptions.builder().threads(2).build());
        System.out.println(r);
        StoreRows rows = StoreRows.read(dir.resolve("a.tsp"));
        System.out.println(rows);
        assertThat(rows.timestamps()).containsExactly(1L, 2L, 3L);
    }
}
