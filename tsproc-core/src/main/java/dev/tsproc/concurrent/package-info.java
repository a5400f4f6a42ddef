/**
 * The concurrency primitives every stage shares: the {@link dev.tsproc.concurrent.TaskGroup}
 * (structured concurrency: the first failure cancels the rest, nothing outlives the group,
 * every failure reported) and the {@link dev.tsproc.concurrent.NanoClock} that deadlines and
 * timings read. It sits left of every stage of the data path and uses none of them, so the
 * generator, the importers, the exporters and the executors can all run their work in the same
 * kind of group.
 */
package dev.tsproc.concurrent;
