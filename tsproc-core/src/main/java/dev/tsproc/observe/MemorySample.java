package dev.tsproc.observe;

/**
 * A process's memory at one moment, as a worker reports it with each batch.
 *
 * @param heapUsedBytes Java heap in use
 * @param rssBytes      resident set size, or -1 where unknown
 * @param privateBytes  resident memory of its own (see {@link ProcessMemory#privateBytes()}), or -1
 */
public record MemorySample(long heapUsedBytes, long rssBytes, long privateBytes) {
    /** This process now. */
    public static MemorySample now() {
        Runtime rt = Runtime.getRuntime();
        ProcessMemory m = ProcessMemory.sampleSelf();
        return new MemorySample(rt.totalMemory() - rt.freeMemory(), m.rssBytes(), m.privateBytes());
    }
}
