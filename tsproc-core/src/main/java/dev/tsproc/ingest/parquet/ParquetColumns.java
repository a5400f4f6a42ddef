package dev.tsproc.ingest.parquet;

import dev.hardwood.HardwoodContext;
import dev.hardwood.InputFile;
import dev.hardwood.metadata.PhysicalType;
import dev.hardwood.metadata.RowGroup;
import dev.hardwood.reader.ParquetFileReader;
import dev.tsproc.ingest.BadInputException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/**
 * Which columns of a set of Parquet files an import reads, chosen by the import's own rules
 * ({@link ParquetOptions}: defaults, names or positions, the first file deciding whether there
 * is a series column), for another reader of the same files — Apache Spark's, in
 * {@code tsproc-spark} — so that both read the same columns the same way and refuse the same
 * files in the same words.
 *
 * @param ts           the timestamp column's name
 * @param nanosPerUnit nanoseconds per unit of the timestamp column's integers: its timestamp
 *                     type's unit, a day for a date, else the options' {@code --ts-format} (under
 *                     {@code auto}, the unit the integers' magnitude tells, as an import reads them)
 * @param value        the value column's name
 * @param series       the series column's name, or {@code null} for none
 * @param inTimeOrder  whether the row groups' timestamp statistics say the rows are in time
 *                     order, files in the order given: each row group's least time at least the
 *                     greatest before it (row groups without statistics say nothing: false).
 *                     Only the statistics are read, not the rows: a row group's rows may still be
 *                     out of order inside it
 */
public record ParquetColumns(String ts, long nanosPerUnit, String value, String series, boolean inTimeOrder) {

    /**
     * The columns of {@code files}, read from their footers.
     *
     * @throws BadInputException   naming the file, if one is not Parquet, lacks a column, has a
     *                             column of a type tsproc cannot read, names its columns other
     *                             than the first file, or holds timestamps only tsproc's own
     *                             reader converts (text, INT96)
     * @throws NoSuchFileException if a file does not exist
     */
    public static ParquetColumns of(List<Path> files, ParquetOptions options) throws IOException {
        ParquetColumns first = null;
        Boolean withSeries = null;
        boolean inTimeOrder = true;
        long greatest = Long.MIN_VALUE;
        try (HardwoodContext context = HardwoodContext.create(1)) {
            for (Path file : files) {
                Footer footer = footer(file, context, options, withSeries);
                ParquetLayout layout = footer.layout();
                if (withSeries == null) {
                    withSeries = layout.series() != null && options.readSeries();
                }
                ParquetLayout.Timestamps ts = layout.ts();
                if (ts.kind() != ParquetLayout.TimestampKind.INTEGER || ts.unsigned() && ts.column().type() == PhysicalType.INT64) {
                    throw new BadInputException(file, "column '" + ts.column().name() + "' holds " + switch (ts.kind()) {
                        case TEXT -> "text";
                        case INT96 -> "INT96";
                        case INTEGER -> "unsigned 64-bit";
                    } + " timestamps, which Spark does not read exactly; import the files with tsproc import first");
                }
                ParquetColumns columns = new ParquetColumns(ts.column().name(), ts.nanosPerUnit(), layout.value().column().name(),
                        withSeries ? layout.series().column().name() : null, false);
                for (RowGroup group : footer.rowGroups()) {
                    if (inTimeOrder && group.numRows() > 0) {
                        Long min = ts.statistic(group, true);
                        Long max = ts.statistic(group, false);
                        inTimeOrder = min != null && max != null && min >= greatest;
                        greatest = inTimeOrder ? max : greatest;
                    }
                }
                if (first == null) {
                    first = columns;
                } else if (!first.equals(columns)) {
                    throw new BadInputException(file, "its timestamp, value and series columns (" + columns.describe()
                            + ") differ from those of " + files.getFirst() + " (" + first.describe() + ")");
                }
            }
        }
        if (first == null) {
            throw new IllegalArgumentException("no Parquet files given");
        }
        return new ParquetColumns(first.ts, first.nanosPerUnit, first.value, first.series, inTimeOrder);
    }

    /** What {@link #of} reads of a file's footer. */
    private record Footer(ParquetLayout layout, List<RowGroup> rowGroups) {
    }

    private static Footer footer(Path file, HardwoodContext context, ParquetOptions options, Boolean withSeries)
            throws IOException {
        if (Files.isDirectory(file)) {
            throw new BadInputException(file, "it is a directory, not a Parquet file");
        }
        if (!Files.exists(file)) {
            throw new NoSuchFileException(file.toString());
        }
        try (ParquetFileReader reader = ParquetFileReader.open(InputFile.of(file), context)) {
            return new Footer(ParquetLayout.of(file, reader, options, withSeries), reader.getFileMetaData().rowGroups());
        } catch (BadInputException | NoSuchFileException e) {
            throw e;
        } catch (IOException | RuntimeException e) {
            throw new BadInputException(file, "it is not a Parquet file, or it is damaged or cut short (" + e.getMessage() + ")", e);
        }
    }

    private String describe() {
        return ts + " in units of " + nanosPerUnit + " ns, " + value + ", " + (series == null ? "no series" : series);
    }
}
