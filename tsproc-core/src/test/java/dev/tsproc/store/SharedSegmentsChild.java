package dev.tsproc.store;

import dev.tsproc.store.StoreFiles.Contents;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * A separate process for {@link SharedSegmentsTest}, because a lock held by this JVM tells
 * nothing about locks held by others.
 *
 * <ul>
 *   <li>{@code hold ROOT [PROBE]}: creates a run under ROOT with one store in it, creates the
 *       file PROBE with default permissions (to show the umask in force), prints the run
 *       directory, and keeps the run until its stdin closes — so it also ends if the test JVM
 *       dies;</li>
 *   <li>{@code sweep ROOT}: sweeps ROOT and prints each directory removed.</li>
 * </ul>
 */
public final class SharedSegmentsChild {
    private SharedSegmentsChild() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args[1]);
        switch (args[0]) {
            case "hold" -> {
                try (SharedSegments run = SharedSegments.create(root)) {
                    StoreFiles.write(run.newStorePath(), Contents.random(new Random(1), 10, 2));
                    if (args.length > 2) {
                        Files.createFile(Path.of(args[2]));
                    }
                    System.out.println(run.directory());
                    System.out.flush();
                    System.in.transferTo(OutputStream.nullOutputStream());
                }
            }
            case "sweep" -> SharedSegments.sweepStale(root).forEach(System.out::println);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }
}
