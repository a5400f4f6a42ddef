/**
 * The plan stage: what to run ({@link dev.tsproc.plan.JobRequest}, plain data with one
 * versioned encoding, resolved to a job in one place) and over which rows in which batches
 * ({@link dev.tsproc.plan.Planner} → {@link dev.tsproc.plan.Plan} of
 * {@link dev.tsproc.data.Batch}es). It uses the stages to its left — the store it plans over and
 * the jobs it resolves — and nothing that runs or observes a job, so a request and its plan
 * mean the same on a thread, a worker JVM or any other executor.
 */
package dev.tsproc.plan;
