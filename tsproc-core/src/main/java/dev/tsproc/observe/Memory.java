package dev.tsproc.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Memory figures of the current process, for events and reports. */
public final class Memory {
    private Memory() {}

    private static final Path STATUS = Path.of("/proc/self/status");

    /** Heap in use, in bytes. */
    public static long heapUsedBytes() {
        Runtime r = Runtime.getRuntime();
        return r.totalMemory() - r.freeMemory();
    }

    /** Resident set size in bytes ({@code VmRSS}), or -1 where /proc is not available. */
    public static long rssBytes() {
        return statusField(STATUS, "VmRSS:");
    }

    /**
     * A memory field of a {@code /proc/<pid>/status} file in bytes (the file gives kB), or -1.
     * Fields of interest: {@code VmRSS:}, {@code VmHWM:} (peak RSS), {@code RssShmem:},
     * {@code RssFile:}, {@code RssAnon:}.
     */
    public static long statusField(Path status, String field) {
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith(field)) {
                    String[] parts = line.substring(field.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
