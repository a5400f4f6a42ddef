/**
 * Executing a plan: the {@link dev.tsproc.exec.Coordinator} that runs its batches in a task
 * group, tells the run's events as they happen and combines partials in batch order, the thread
 * and process executors,
 * deadlines, retries and the reports of failed batches. The rightmost stage of the core: it may
 * use every stage to its left, {@code exec.process} included; none of them uses it.
 */
package dev.tsproc.exec;
