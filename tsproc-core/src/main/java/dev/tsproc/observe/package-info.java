/**
 * What a run tells about itself: the {@link dev.tsproc.observe.Run} of a job, told each batch's
 * events as they happen, the listeners that follow them (one method per event), the live
 * {@link dev.tsproc.observe.RunMonitor} behind the status endpoint, and the
 * {@link dev.tsproc.observe.Timeline} saved as JSON, and the memory of a process
 * ({@link dev.tsproc.observe.ProcessMemory}, {@link dev.tsproc.observe.MemorySample}) that
 * workers report with each batch. The executors report these events, so it
 * sits left of them: it may use {@code plan} and the stages before it, never {@code exec}.
 */
package dev.tsproc.observe;
