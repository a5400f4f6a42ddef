package dev.tsproc.cli;

import dev.tsproc.store.SharedSegments;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** What of ours is in shared memory right now, for leak assertions. */
final class SharedMemory {
    private SharedMemory() {}

    static List<Path> ours() throws IOException {
        try (Stream<Path> entries = Files.list(SharedSegments.root())) {
            return entries.filter(p -> p.getFileName().toString().startsWith("tsproc-")).toList();
        }
    }
}
