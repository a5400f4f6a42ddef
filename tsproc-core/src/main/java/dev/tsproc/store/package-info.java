/**
 * The store: its binary layout ({@link dev.tsproc.store.StoreLayout}, drawn in docs/FORMAT.md),
 * the writer and the memory-mapped reader, checksums, the run directories in shared memory,
 * and {@link dev.tsproc.store.AtomicFile}, the one way tsproc writes any file. It may use
 * {@code data} and {@code concurrent}, the stages to its left.
 */
package dev.tsproc.store;
