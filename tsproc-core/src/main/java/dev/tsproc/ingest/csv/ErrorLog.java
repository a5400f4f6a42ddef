package dev.tsproc.ingest.csv;

import dev.tsproc.store.AtomicFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Puts the bad lines found by parallel chunk parsers into file order and gives them their
 * line numbers.
 *
 * <p>A chunk's lines can be numbered only when every earlier chunk has been counted, so chunks
 * reported out of order wait here; since parsers take chunks in file order, only about as many
 * chunks as there are threads wait at once. Each bad line is written to the errors file (if
 * any) as it is numbered; the first {@link CsvImporter#REPORTED_ERRORS} are kept. The errors
 * file holds raw input, so it is an owner-only {@link AtomicFile}, published once parsing has
 * ended ({@link #publish}) and deleted if it did not.
 *
 * <p>A chunk that stopped early (at its first bad line under {@code --on-error fail}, or on an
 * interrupt) did not count all its lines, so no later chunk can be numbered: numbering ends
 * with it, and later chunks' bad lines are left out rather than given wrong numbers. Under
 * {@code fail} that leaves exactly the file's first bad line, whatever the chunking and threads.
 *
 * <p>Thread safety: {@link #chunkDone} may be called from any thread.
 */
final class ErrorLog implements AutoCloseable {
    private final CsvLayout layout;
    /** The errors file, or null without {@code --errors-out}. */
    private final AtomicFile file;
    private final BufferedWriter errorsOut;
    private final Map<Integer, ParsedChunk> waiting = new HashMap<>();
    private final List<CsvError> first = new ArrayList<>();
    private int nextChunk;
    private long nextLine;
    private long errorCount;
    /** Whether a chunk that stopped early has been numbered: the line numbers after it are unknown. */
    private boolean ended;

    ErrorLog(CsvLayout layout, long firstLine, Path errorsOut) throws IOException {
        this.layout = layout;
        this.nextLine = firstLine;
        this.file = errorsOut == null ? null : AtomicFile.create(errorsOut);
        this.errorsOut = file == null ? null : file.writer();
    }

    /**
     * Takes a parsed chunk's line count and errors; numbers them when all earlier chunks are in.
     * {@code allLinesCounted} is false if the chunk stopped early.
     */
    synchronized void chunkDone(ParsedChunk chunk, boolean allLinesCounted) {
        if (ended) {
            return;
        }
        chunk.allLinesCounted = allLinesCounted;
        waiting.put(chunk.index, chunk);
        for (ParsedChunk next; !ended && (next = waiting.remove(nextChunk)) != null; nextChunk++) {
            for (ParsedChunk.LocalError e : next.errors) {
                CsvError error = new CsvError(nextLine + e.lineInChunk(), e.byteOffset(), e.fieldNumber(),
                        e.fieldNumber() > 0 ? layout.names().get(e.fieldNumber() - 1) : "", e.reason(), e.detail());
                if (first.size() < CsvImporter.REPORTED_ERRORS) {
                    first.add(error);
                }
                if (errorsOut != null) {
                    try {
                        errorsOut.write(error.message());
                        errorsOut.newLine();
                    } catch (IOException ex) {
                        throw new UncheckedIOException(ex);
                    }
                }
            }
            errorCount += next.errorCount;
            next.errors.clear();
            nextLine += next.lineCount;
            ended = !next.allLinesCounted;
        }
        if (ended) {
            waiting.clear();
        }
    }

    /** The first bad lines in file order. */
    synchronized List<CsvError> first() {
        return List.copyOf(first);
    }

    /** Bad lines in the chunks numbered so far. */
    synchronized long errorCount() {
        return errorCount;
    }

    /** The line number after the last chunk numbered so far. */
    synchronized long nextLine() {
        return nextLine;
    }

    /** Publishes the errors file with every bad line numbered so far. */
    synchronized void publish() throws IOException {
        if (file != null) {
            errorsOut.flush();
            file.commit();
        }
    }

    /** Deletes the errors file unless it was published. */
    @Override
    public synchronized void close() throws IOException {
        if (file != null) {
            file.close();
        }
    }
}
