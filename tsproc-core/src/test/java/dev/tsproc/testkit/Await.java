package dev.tsproc.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;

/** Waits for conditions themselves, never for a guessed time; a test's {@code @Timeout} guards against a hang. */
public final class Await {
    private Await() {}

    /**
     * Waits until {@code file} exists — a marker a job or a paused JVM makes — woken by the file
     * system rather than by polling.
     */
    public static void file(Path file) throws IOException, InterruptedException {
        try (WatchService watch = file.getFileSystem().newWatchService()) {
            file.getParent().register(watch, StandardWatchEventKinds.ENTRY_CREATE);
            while (!Files.exists(file)) {
                watch.take().reset();
            }
        }
    }
}
