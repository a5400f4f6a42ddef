package dev.tsproc.plan;

import dev.tsproc.job.Aggregate;
import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.Job;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.store.Store;

import java.io.IOException;
import java.net.URLClassLoader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * What to run, as plain data: a built-in job by name, a query, or a user's job class with its
 * parameters and jars. The same request runs on threads, in worker JVMs (it travels in the
 * worker protocol in its {@linkplain #encode() one binary encoding}) or anywhere else a store
 * can be opened, and {@link #resolve(Store)} — the one place a request becomes a {@link Job} —
 * gives every one of them an equal job.
 *
 * {@snippet :
 * JobRequest request = JobRequest.custom("com.example.AboveJob", Map.of("threshold", "0.5"), List.of(Path.of("my-jobs.jar")));
 * try (JobRequest.Resolved resolved = request.resolve(store)) {
 *     Job<?, ?> job = resolved.job();
 * }
 * }
 *
 * <p>A user's job class is public, implements {@link Job} and, to run in worker processes,
 * {@link dev.tsproc.job.PartialCodec}; it has a public constructor taking a
 * {@code Map<String, String>} of parameters (and rejecting bad ones with an
 * {@link IllegalArgumentException}), or a public no-argument constructor when it takes none.
 * The coordinator and every worker load it the same way, each in its own class loader over
 * {@code jars} whose parent is tsproc's.
 *
 * <p>Every field has a size limit, so a request read from a message cannot make its reader
 * allocate without bound (a query's series list is checked when it is encoded, since on threads
 * it need not travel): {@value #MAX_NAME_LENGTH} characters for a name,
 * {@value #MAX_PARAMETERS} parameters with keys of at most {@value #MAX_KEY_LENGTH} characters
 * ({@code [A-Za-z][A-Za-z0-9_.-]*}) and values of at most {@value #MAX_VALUE_LENGTH},
 * {@value #MAX_JARS} jars of at most {@value #MAX_PATH_LENGTH} characters, and
 * {@value #MAX_SERIES} series names of at most {@value #MAX_VALUE_LENGTH} characters and
 * {@value #MAX_SERIES_CHARS} in all (so an encoded request fits a worker message).
 */
public sealed interface JobRequest {
    int MAX_NAME_LENGTH = 256;
    int MAX_PARAMETERS = 64;
    int MAX_KEY_LENGTH = 64;
    int MAX_VALUE_LENGTH = 4096;
    int MAX_JARS = 32;
    int MAX_PATH_LENGTH = 4096;
    int MAX_SERIES = 65_536;
    int MAX_SERIES_CHARS = 4 << 20;

    /** The version of {@link #encode()}'s layout, its first byte. */
    int ENCODING_VERSION = 2;

    /** The built-in job {@code name} ({@link BuiltinJob#NAMES}), case-insensitive. */
    static JobRequest builtin(String name) {
        return new Builtin(name);
    }

    /** The query {@code spec}. */
    static JobRequest query(QuerySpec spec) {
        return new Query(spec);
    }

    /** The user's job class {@code className}, created with {@code parameters}, found in {@code jars} or the class path. */
    static JobRequest custom(String className, Map<String, String> parameters, List<Path> jars) {
        return new Custom(className, parameters, jars);
    }

    /**
     * The job the command line names with {@code --job}, {@code --param} and {@code --jar}: a
     * built-in job, or a class.
     *
     * @throws IllegalArgumentException naming the built-in jobs if {@code name} is neither
     */
    static JobRequest named(String name, Map<String, String> parameters, List<Path> jars) {
        if (BuiltinJob.NAMES.contains(name.strip().toLowerCase(Locale.ROOT))) {
            if (!parameters.isEmpty()) {
                throw new IllegalArgumentException("the built-in job " + name + " takes no parameters, got " + parameters.keySet());
            }
            if (!jars.isEmpty()) {
                throw new IllegalArgumentException("--jar is for your own job classes; " + name + " is built in");
            }
            return new Builtin(name);
        }
        return new Custom(name, parameters, jars);
    }

    /** The request in the command line's words, for reports: {@code sum}, {@code query count,p99 by series}. */
    String describe();

    /**
     * Creates the job over {@code store}.
     *
     * @throws IllegalArgumentException in one sentence, if the job cannot be created: an unknown
     *                                  class, one that is not a job, bad parameters, a series
     *                                  the store lacks
     */
    default Resolved resolve(Store store) {
        return resolve(store.dictionary(), store.hasSeries());
    }

    /**
     * Creates the job over rows whose series ids are those of {@code dictionary}: where the rows
     * come from elsewhere than a store (Parquet files Spark reads).
     *
     * @param hasSeries whether the rows have a series column
     * @throws IllegalArgumentException as {@link #resolve(Store)}
     */
    Resolved resolve(SeriesDictionary dictionary, boolean hasSeries);

    /**
     * Whether the job reads the series column, so that files loaded for one run
     * ({@code Tsproc.load}) need not decode it when it does not. Every job reads timestamps
     * and values.
     */
    boolean readsSeries();

    /** A built-in job over the value column. */
    record Builtin(String name) implements JobRequest {
        public Builtin {
            name = BuiltinJob.named(Objects.requireNonNull(name, "name")).name(); // fails naming the known jobs
        }

        @Override
        public String describe() {
            return name;
        }

        @Override
        public boolean readsSeries() {
            return false;
        }

        /** Creates the job; it reads no series, so {@code store} is not needed and may be null. */
        @Override
        public Resolved resolve(Store store) {
            return resolve(SeriesDictionary.empty(), false);
        }

        @Override
        public Resolved resolve(SeriesDictionary dictionary, boolean hasSeries) {
            return new Resolved(BuiltinJob.named(name), null);
        }
    }

    /** A query: aggregates by series and time bucket over a time range. */
    record Query(QuerySpec spec) implements JobRequest {
        public Query {
            Objects.requireNonNull(spec, "spec");
        }

        @Override
        public String describe() {
            StringBuilder s = new StringBuilder("query ");
            s.append(spec.aggregates().stream().map(Aggregate::label).collect(Collectors.joining(",")));
            if (spec.bySeries()) {
                s.append(" by series");
            }
            if (spec.byTime()) {
                s.append(" every ").append(spec.buckets().describe());
            }
            if (spec.fromNanos() != Long.MIN_VALUE) {
                s.append(" from ").append(QuerySpec.format(spec.fromNanos()));
            }
            if (spec.toNanos() != Long.MAX_VALUE) {
                s.append(" to ").append(QuerySpec.format(spec.toNanos()));
            }
            if (!spec.series().isEmpty()) {
                s.append(" of ").append(spec.series().size()).append(" series");
            }
            return s.toString();
        }

        @Override
        public Resolved resolve(SeriesDictionary dictionary, boolean hasSeries) {
            return new Resolved(QueryJob.of(spec, dictionary, hasSeries), null);
        }

        @Override
        public boolean readsSeries() {
            return spec.bySeries() || !spec.series().isEmpty();
        }
    }

    /**
     * A user's job class.
     *
     * @param className  the class's binary name
     * @param parameters the job's parameters; kept sorted by key, unmodifiable
     * @param jars       absolute paths of jars holding the job's classes
     */
    record Custom(String className, Map<String, String> parameters, List<Path> jars) implements JobRequest {
        private static final Pattern CLASS_NAME =
                Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
        private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

        public Custom {
            Objects.requireNonNull(className, "className");
            if (className.isBlank() || className.length() > MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("job name of " + className.length() + " characters must have 1 to "
                        + MAX_NAME_LENGTH);
            }
            if (!CLASS_NAME.matcher(className).matches()) {
                throw new IllegalArgumentException("unknown job '" + className + "'; choose one of "
                        + String.join(", ", BuiltinJob.NAMES) + ", or give the class name of your own job");
            }
            parameters = Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(parameters, "parameters")));
            if (parameters.size() > MAX_PARAMETERS) {
                throw new IllegalArgumentException(parameters.size() + " job parameters are more than " + MAX_PARAMETERS);
            }
            for (Map.Entry<String, String> p : parameters.entrySet()) {
                String key = Objects.requireNonNull(p.getKey(), "parameter key");
                String value = Objects.requireNonNull(p.getValue(), "parameter value");
                if (key.length() > MAX_KEY_LENGTH || !KEY.matcher(key).matches()) {
                    throw new IllegalArgumentException("job parameter name '" + key + "' must match "
                            + KEY.pattern() + " and have at most " + MAX_KEY_LENGTH + " characters");
                }
                if (value.length() > MAX_VALUE_LENGTH || value.chars().anyMatch(Character::isISOControl)) {
                    throw new IllegalArgumentException("job parameter " + key + " must have at most "
                            + MAX_VALUE_LENGTH + " characters and no control characters");
                }
            }
            List<Path> absolute = new ArrayList<>(Objects.requireNonNull(jars, "jars").size());
            for (Path jar : jars) {
                absolute.add(Objects.requireNonNull(jar, "jar").toAbsolutePath().normalize());
            }
            jars = List.copyOf(absolute);
            if (jars.size() > MAX_JARS) {
                throw new IllegalArgumentException(jars.size() + " jars are more than " + MAX_JARS);
            }
            for (Path jar : jars) {
                if (jar.toString().length() > MAX_PATH_LENGTH) {
                    throw new IllegalArgumentException("jar path of " + jar.toString().length() + " characters is longer than "
                            + MAX_PATH_LENGTH);
                }
            }
        }

        @Override
        public String describe() {
            return className;
        }

        /** As {@link #resolve(SeriesDictionary, boolean)}: {@code store} is not needed and may be null. */
        @Override
        public Resolved resolve(Store store) {
            return resolve(SeriesDictionary.empty(), false);
        }

        /** Loads the class from {@link #jars()} or the class path and creates the job; the series are not needed. */
        @Override
        public Resolved resolve(SeriesDictionary dictionary, boolean hasSeries) {
            return JobClassLoading.load(this);
        }

        /** A job of the user's may read any column. */
        @Override
        public boolean readsSeries() {
            return true;
        }
    }

    /**
     * A resolved job and the class loader its classes came from, closed together.
     *
     * @param job    the job
     * @param loader the loader over a custom job's jars, or {@code null}
     */
    record Resolved(Job<?, ?> job, URLClassLoader loader) implements AutoCloseable {
        /** Closes the class loader, releasing the jar files. */
        @Override
        public void close() throws IOException {
            if (loader != null) {
                loader.close();
            }
        }
    }

    /**
     * This request in its binary form, drawn here and in docs/PROCESSES.md.
     *
     * @throws IllegalArgumentException if a query names more series than may travel Strings are a
     * {@code u32} byte length and UTF-8; integers are big-endian.
     *
     * <pre>
     *   u8 version (2) | u8 kind
     *   kind 1, built-in: str name
     *   kind 2, query:    str aggregates ("count,p99") | u8 bySeries | buckets | i64 fromNanos
     *                     | i64 toNanos | u8 exactPercentiles | u32 n | n × str series
     *     buckets:        u8 0 (none) | u8 1 (fixed), i64 widthNanos, i64 offsetNanos
     *                     | u8 2 (calendar), u32 amount, u8 unit (0 days, 1 weeks, 2 months, 3 years),
     *                       str zone, i64 offsetNanos
     *   (version 1, still read: i64 bucketNanos in place of buckets, 0 for none)
     *   kind 3, custom:   str className | u32 n | n × (str key, str value) | u32 jars | jars × str path
     * </pre>
     */
    default byte[] encode() {
        return RequestEncoding.encode(this);
    }

    /**
     * Reads a request written by {@link #encode()}, checking every length against its limit and
     * the bytes left, and that none are left over.
     *
     * @throws IllegalArgumentException naming the field and its value if the bytes are not a valid request
     */
    static JobRequest decode(ByteBuffer bytes) {
        return RequestEncoding.decode(bytes);
    }
}
