/**
 * tsproc's library: stores, sources, jobs and queries, the planner, the executors and what a
 * run tells about itself. It exports the packages a user of the library (the CLI and the
 * benchmarks included) needs, and keeps the worker JVM's protocol ({@code exec.process})
 * to itself: executors are chosen and driven through {@link dev.tsproc.Tsproc} and
 * {@code dev.tsproc.exec}. The CLI and the benchmarks run on the class path, where a module's
 * exports are not enforced, so ArchUnit tests in those modules read this descriptor and fail
 * when they use a package it does not export.
 */
module dev.tsproc.core {
    requires com.fasterxml.jackson.core;
    requires com.github.luben.zstd_jni;
    requires dev.hardwood.core;
    requires flatbuffers.java;
    requires java.management;
    requires jdk.incubator.vector;
    requires org.apache.arrow.format;
    requires snappy.java;

    exports dev.tsproc;
    exports dev.tsproc.concurrent;
    exports dev.tsproc.data;
    exports dev.tsproc.exec;
    exports dev.tsproc.ingest;
    exports dev.tsproc.ingest.arrow;
    exports dev.tsproc.ingest.csv;
    exports dev.tsproc.ingest.parquet;
    exports dev.tsproc.job;
    exports dev.tsproc.observe;
    exports dev.tsproc.plan;
    exports dev.tsproc.store;
}
