package dev.tsproc.ingest.csv;

import java.nio.file.Path;
import java.util.List;

/**
 * What an import did.
 *
 * @param store        the store written
 * @param rows         rows imported
 * @param series       distinct series (0 without a series column)
 * @param lines        lines read, counting the header, blank and bad lines
 * @param badLines     lines left out (only with {@code --on-error skip})
 * @param firstErrors  the first bad lines, at most {@link CsvImporter#REPORTED_ERRORS}
 * @param inputBytes   bytes of CSV text read (decompressed, for gzip input)
 * @param sorted       whether rows had to be sorted because they were not in time order
 * @param timestampFormat the format timestamps were read in: as asked, or for {@code auto} the
 *                     epoch unit its first data line told
 * @param delimiter    the field delimiter: as asked, or the one the header showed
 * @param elapsedNanos wall-clock time of the whole import
 */
public record ImportResult(Path store, long rows, int series, long lines, long badLines, List<CsvError> firstErrors,
                           long inputBytes, boolean sorted,
                           TimestampFormat timestampFormat, char delimiter, long elapsedNanos) {
    public ImportResult {
        firstErrors = List.copyOf(firstErrors);
    }
}
