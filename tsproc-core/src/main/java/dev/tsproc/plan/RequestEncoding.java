package dev.tsproc.plan;

import dev.tsproc.job.Aggregate;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.job.TimeBuckets;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** {@link JobRequest#encode()} and {@link JobRequest#decode}: the layout drawn on {@code encode}. */
final class RequestEncoding {
    private RequestEncoding() {}

    private static final int BUILTIN = 1, QUERY = 2, CUSTOM = 3;
    /** A Java char is at most 3 bytes of UTF-8. */
    private static final int BYTES_PER_CHAR = 3;

    static byte[] encode(JobRequest request) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(JobRequest.ENCODING_VERSION);
            switch (request) {
                case JobRequest.Builtin(String name) -> {
                    out.writeByte(BUILTIN);
                    str(out, name);
                }
                case JobRequest.Query(QuerySpec spec) -> {
                    checkSeries(spec.series());
                    out.writeByte(QUERY);
                    str(out, spec.aggregates().stream().map(Aggregate::label).collect(Collectors.joining(",")));
                    out.writeBoolean(spec.bySeries());
                    buckets(out, spec.buckets());
                    out.writeLong(spec.fromNanos());
                    out.writeLong(spec.toNanos());
                    out.writeBoolean(spec.exactPercentiles());
                    out.writeInt(spec.series().size());
                    for (String series : spec.series()) {
                        str(out, series);
                    }
                }
                case JobRequest.Custom(String className, Map<String, String> parameters, List<Path> jars) -> {
                    out.writeByte(CUSTOM);
                    str(out, className);
                    out.writeInt(parameters.size());
                    for (Map.Entry<String, String> p : parameters.entrySet()) {
                        str(out, p.getKey());
                        str(out, p.getValue());
                    }
                    out.writeInt(jars.size());
                    for (Path jar : jars) {
                        str(out, jar.toString());
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a ByteArrayOutputStream does not fail
        }
        return bytes.toByteArray();
    }

    private static final int NO_BUCKETS = 0, FIXED = 1, CALENDAR = 2;
    private static final List<ChronoUnit> CALENDAR_UNITS = List.of(ChronoUnit.DAYS, ChronoUnit.WEEKS, ChronoUnit.MONTHS,
            ChronoUnit.YEARS);

    private static void buckets(DataOutputStream out, TimeBuckets buckets) throws IOException {
        switch (buckets) {
            case null -> out.writeByte(NO_BUCKETS);
            case TimeBuckets.Fixed(long width, long offset) -> {
                out.writeByte(FIXED);
                out.writeLong(width);
                out.writeLong(offset);
            }
            case TimeBuckets.Calendar(int amount, ChronoUnit unit, ZoneId zone, Duration offset) -> {
                out.writeByte(CALENDAR);
                out.writeInt(amount);
                out.writeByte(CALENDAR_UNITS.indexOf(unit));
                str(out, zone.getId());
                out.writeLong(offset.toNanos());
            }
        }
    }

    private static TimeBuckets buckets(ByteBuffer in) {
        int kind = Byte.toUnsignedInt(in.get());
        try {
            return bucketsOfKind(kind, in);
        } catch (IllegalArgumentException e) {
            throw e.getMessage().startsWith("the job request is invalid") ? e : invalid("buckets: " + e.getMessage());
        }
    }

    private static TimeBuckets bucketsOfKind(int kind, ByteBuffer in) {
        return switch (kind) {
            case NO_BUCKETS -> null;
            case FIXED -> TimeBuckets.fixed(in.getLong(), in.getLong());
            case CALENDAR -> {
                int amount = in.getInt();
                int unit = Byte.toUnsignedInt(in.get());
                if (unit >= CALENDAR_UNITS.size()) {
                    throw invalid("calendar unit=" + unit + " is not within 0.." + (CALENDAR_UNITS.size() - 1));
                }
                String zone = str(in, "zone", JobRequest.MAX_NAME_LENGTH);
                try {
                    yield TimeBuckets.calendar(amount, CALENDAR_UNITS.get(unit), ZoneId.of(zone), Duration.ofNanos(in.getLong()));
                } catch (java.time.DateTimeException e) {
                    throw invalid("zone=" + zone + " is not a time zone");
                }
            }
            default -> throw invalid("buckets kind=" + kind + " is not 0, 1 or 2");
        };
    }

    /** Fails unless {@code series} fit the limits a decoder holds them to. */
    private static void checkSeries(List<String> series) {
        long chars = 0;
        for (String name : series) {
            chars += name.length();
            if (name.length() > JobRequest.MAX_VALUE_LENGTH) {
                throw new IllegalArgumentException("a series name of " + name.length() + " characters is longer than "
                        + JobRequest.MAX_VALUE_LENGTH + ", too long to send to worker processes; run the query on threads");
            }
        }
        if (series.size() > JobRequest.MAX_SERIES || chars > JobRequest.MAX_SERIES_CHARS) {
            throw new IllegalArgumentException("a query of " + series.size() + " series (" + chars + " characters of names) is too"
                    + " long to send to worker processes (at most " + JobRequest.MAX_SERIES + " and " + JobRequest.MAX_SERIES_CHARS
                    + "); run it on threads, or name fewer series");
        }
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
    }

    static JobRequest decode(ByteBuffer buffer) {
        ByteBuffer in = buffer.duplicate();
        try {
            int version = Byte.toUnsignedInt(in.get());
            if (version != JobRequest.ENCODING_VERSION && version != 1) {
                throw invalid("version=" + version + " is not 1 or " + JobRequest.ENCODING_VERSION);
            }
            int kind = Byte.toUnsignedInt(in.get());
            JobRequest request = switch (kind) {
                case BUILTIN -> new JobRequest.Builtin(str(in, "name", JobRequest.MAX_NAME_LENGTH));
                case QUERY -> {
                    String aggregates = str(in, "aggregates", JobRequest.MAX_VALUE_LENGTH);
                    boolean bySeries = bool(in, "bySeries");
                    TimeBuckets buckets;
                    if (version == 1) { // fixed widths aligned to the epoch, 0 for none
                        long bucketNanos = in.getLong();
                        if (bucketNanos < 0) {
                            throw invalid("bucketNanos=" + bucketNanos + " is negative");
                        }
                        buckets = bucketNanos == 0 ? null : TimeBuckets.fixed(bucketNanos, 0);
                    } else {
                        buckets = buckets(in);
                    }
                    long fromNanos = in.getLong();
                    long toNanos = in.getLong();
                    boolean exact = bool(in, "exactPercentiles");
                    int n = count(in, "series", JobRequest.MAX_SERIES);
                    List<String> series = new ArrayList<>(Math.min(n, in.remaining() / 4));
                    long chars = 0;
                    for (int i = 0; i < n; i++) {
                        String name = str(in, "series[" + i + "]", JobRequest.MAX_VALUE_LENGTH);
                        chars += name.length();
                        if (chars > JobRequest.MAX_SERIES_CHARS) {
                            throw invalid("series names of more than " + JobRequest.MAX_SERIES_CHARS + " characters in all");
                        }
                        series.add(name);
                    }
                    yield new JobRequest.Query(new QuerySpec(Aggregate.parseList(aggregates), bySeries, buckets,
                            fromNanos, toNanos, series, exact));
                }
                case CUSTOM -> {
                    String className = str(in, "className", JobRequest.MAX_NAME_LENGTH);
                    int n = count(in, "parameters", JobRequest.MAX_PARAMETERS);
                    Map<String, String> parameters = new LinkedHashMap<>();
                    for (int i = 0; i < n; i++) {
                        String key = str(in, "parameter[" + i + "].name", JobRequest.MAX_KEY_LENGTH);
                        if (parameters.put(key, str(in, "parameter[" + i + "].value", JobRequest.MAX_VALUE_LENGTH)) != null) {
                            throw invalid("it repeats the parameter " + key);
                        }
                    }
                    int jars = count(in, "jars", JobRequest.MAX_JARS);
                    List<Path> paths = new ArrayList<>(jars);
                    for (int i = 0; i < jars; i++) {
                        paths.add(Path.of(str(in, "jar[" + i + "]", JobRequest.MAX_PATH_LENGTH)));
                    }
                    yield new JobRequest.Custom(className, parameters, paths);
                }
                default -> throw invalid("kind=" + kind + " is not a known kind of job");
            };
            if (in.hasRemaining()) {
                throw invalid("it has " + in.remaining() + " bytes after its end");
            }
            return request;
        } catch (BufferUnderflowException e) {
            throw invalid("it ends early");
        } catch (java.nio.file.InvalidPathException e) {
            throw invalid("a jar path is not a path: " + e.getMessage());
        }
    }

    private static String str(ByteBuffer in, String field, int maxChars) {
        int length = in.getInt();
        if (length < 0 || length > maxChars * BYTES_PER_CHAR || length > in.remaining()) {
            throw invalid(field + " length=" + length + " is not within 0.." + Math.min(maxChars * BYTES_PER_CHAR, in.remaining()));
        }
        ByteBuffer slice = in.slice(in.position(), length);
        in.position(in.position() + length);
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw invalid(field + " is not UTF-8");
        }
    }

    private static int count(ByteBuffer in, String field, int max) {
        int n = in.getInt();
        if (n < 0 || n > max) {
            throw invalid(field + "=" + n + " is not within 0.." + max);
        }
        return n;
    }

    private static boolean bool(ByteBuffer in, String field) {
        int b = in.get();
        if (b != 0 && b != 1) {
            throw invalid(field + "=" + b + " is not 0 or 1");
        }
        return b == 1;
    }

    private static IllegalArgumentException invalid(String problem) {
        return new IllegalArgumentException("the job request is invalid: " + problem);
    }
}
