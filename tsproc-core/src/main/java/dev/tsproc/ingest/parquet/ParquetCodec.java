package dev.tsproc.ingest.parquet;

import com.github.luben.zstd.Zstd;
import org.xerial.snappy.Snappy;

import java.io.IOException;
import java.util.Locale;

/**
 * How the Parquet writer compresses each page: the three codecs every Parquet reader has,
 * through the libraries hardwood already reads them with (snappy-java, zstd-jni).
 */
public enum ParquetCodec {
    /** Pages as they are. */
    NONE(0),
    /** Snappy, Parquet's most common codec and pyarrow's and DuckDB's default: fast, a modest ratio. */
    SNAPPY(1),
    /** Zstandard at level 3 (its default), Polars' default: smaller files for more CPU time. */
    ZSTD(6);

    private static final int ZSTD_LEVEL = 3;

    /** The codec's number in Parquet's {@code CompressionCodec} enum. */
    final int thriftId;

    ParquetCodec(int thriftId) {
        this.thriftId = thriftId;
    }

    /**
     * The codec called {@code name}, in any case: none (or uncompressed), snappy or zstd.
     *
     * @throws IllegalArgumentException naming the choices
     */
    public static ParquetCodec named(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "none", "uncompressed" -> NONE;
            case "snappy" -> SNAPPY;
            case "zstd" -> ZSTD;
            default -> throw new IllegalArgumentException("unknown codec '" + name + "'; choose none, snappy or zstd");
        };
    }

    /** {@code page} compressed, in {@code scratch} (or {@code page} itself for {@link #NONE}). */
    ByteSink compress(ByteSink page, ByteSink scratch) throws IOException {
        int length = page.size();
        switch (this) {
            case NONE -> {
                return page;
            }
            case SNAPPY -> {
                scratch.reset();
                int at = scratch.reserve(Snappy.maxCompressedLength(length));
                scratch.skip(Snappy.rawCompress(page.array(), 0, length, scratch.array(), at));
            }
            case ZSTD -> {
                scratch.reset();
                int bound = Math.toIntExact(Zstd.compressBound(length));
                int at = scratch.reserve(bound);
                long written = Zstd.compressByteArray(scratch.array(), at, bound, page.array(), 0, length, ZSTD_LEVEL);
                if (Zstd.isError(written)) {
                    throw new IOException("zstd could not compress a page: " + Zstd.getErrorName(written));
                }
                scratch.skip((int) written);
            }
        }
        return scratch;
    }
}
