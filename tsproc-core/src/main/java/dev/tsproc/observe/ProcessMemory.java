package dev.tsproc.observe;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A process's resident memory, read from {@code /proc/<pid>/status} (Linux; -1 elsewhere).
 *
 * <p>{@code privateBytes} is what the process holds for itself alone: its resident set minus
 * the pages it shares — shared-memory mappings such as a store in {@code /dev/shm} and file
 * mappings such as a store on disk or the JDK's libraries. That is Linux's {@code RssAnon}, and
 * it is the number that must stay flat when workers map a store instead of copying it.
 *
 * @param rssBytes     resident set size ({@code VmRSS})
 * @param peakRssBytes highest resident set size since start or since {@link #resetPeak()} ({@code VmHWM})
 * @param privateBytes resident anonymous memory ({@code RssAnon} = VmRSS − RssShmem − RssFile)
 * @param sharedBytes  resident shared-memory pages ({@code RssShmem})
 */
public record ProcessMemory(long rssBytes, long peakRssBytes, long privateBytes, long sharedBytes) {
    /** Nothing known: not Linux, or the process is gone. */
    public static final ProcessMemory UNKNOWN = new ProcessMemory(-1, -1, -1, -1);

    /** This process's memory now. */
    public static ProcessMemory self() {
        return read(Path.of("/proc/self/status"));
    }

    /** The memory of process {@code pid} now, or {@link #UNKNOWN}. */
    public static ProcessMemory of(long pid) {
        return read(Path.of("/proc/" + pid + "/status"));
    }

    private static ProcessMemory read(Path status) {
        long rss = -1, peak = -1, anon = -1, shmem = -1;
        try {
            for (String line : Files.readAllLines(status)) {
                if (line.startsWith("VmRSS:")) {
                    rss = kilobytes(line);
                } else if (line.startsWith("VmHWM:")) {
                    peak = kilobytes(line);
                } else if (line.startsWith("RssAnon:")) {
                    anon = kilobytes(line);
                } else if (line.startsWith("RssShmem:")) {
                    shmem = kilobytes(line);
                }
            }
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
        return new ProcessMemory(rss, peak, anon, shmem);
    }

    /**
     * This process's resident and private memory now, from {@code /proc/self/statm}: a few
     * times cheaper to read than {@code status}, so it can be sampled after every batch.
     * The peak is not in it and is reported as -1.
     */
    public static ProcessMemory sampleSelf() {
        long pageSize = PageSize.BYTES;
        if (pageSize <= 0) {
            return UNKNOWN;
        }
        try {
            String[] fields = Files.readString(Path.of("/proc/self/statm")).strip().split(" ");
            long resident = Long.parseLong(fields[1]) * pageSize;
            long shared = Long.parseLong(fields[2]) * pageSize; // file and shared-memory pages
            return new ProcessMemory(resident, -1, resident - shared, -1);
        } catch (IOException | RuntimeException e) {
            return UNKNOWN;
        }
    }

    /** The size of a memory page, derived once from VmRSS (kB) against statm's resident pages. */
    private static final class PageSize {
        static final long BYTES = measure();

        private static long measure() {
            try {
                long rss = self().rssBytes();
                long pages = Long.parseLong(Files.readString(Path.of("/proc/self/statm")).strip().split(" ")[1]);
                if (rss <= 0 || pages <= 0) {
                    return -1;
                }
                return Long.highestOneBit(rss / pages + (rss / pages) / 2); // nearest power of two
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }
    }

    private static long kilobytes(String line) {
        String digits = line.substring(line.indexOf(':') + 1).replace("kB", "").strip();
        return Long.parseLong(digits) * 1024;
    }

    /**
     * Resets this process's peak resident set size ({@code VmHWM}) to its current size, so a
     * later {@link #peakRssBytes()} tells the peak of one job. Best effort.
     *
     * @return whether the kernel accepted the reset
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }
}
