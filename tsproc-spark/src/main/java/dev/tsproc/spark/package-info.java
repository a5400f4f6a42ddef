/**
 * tsproc's jobs and queries on Apache Spark, with the answers of one machine bit for bit.
 *
 * <p>{@link dev.tsproc.spark.TsprocSpark} is the way in. The driver plans the same fixed
 * batches as {@link dev.tsproc.Tsproc} and groups consecutive batches into Spark partitions;
 * each executor rebuilds the job from the request's {@linkplain dev.tsproc.plan.JobRequest#encode()
 * encoding} ({@link dev.tsproc.spark.MapBatches}), maps each batch from a zero-copy view of the
 * store and sends back its partial in the job's {@link dev.tsproc.job.PartialCodec}; the driver
 * combines the partials in batch order, as the coordinator does on one machine. Spark is a
 * {@code provided} dependency: the application or the cluster brings it.
 *
 * <p>{@link dev.tsproc.spark.TsprocSource} is the other way in: a store as a Spark SQL table
 * ({@code spark.read.format("tsproc")}), read in columnar batches over the mapped file with
 * projection and time-range push-down.
 */
package dev.tsproc.spark;
