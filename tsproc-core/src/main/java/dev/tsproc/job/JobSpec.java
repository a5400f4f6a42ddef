package dev.tsproc.job;

import dev.tsproc.store.Store;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * A job by name, as plain data that can cross a process boundary: a built-in job's name, or the
 * binary name of a user's {@link Job} class found in {@code jars} or on the class path, with the
 * job's parameters as validated strings.
 *
 * {@snippet :
 * JobSpec spec = new JobSpec("com.example.AboveJob", Map.of("threshold", "0.5"), List.of(Path.of("my-jobs.jar")));
 * try (JobSpec.Loaded loaded = spec.load()) {
 *     Job<?, ?> job = loaded.job();
 * }
 * }
 *
 * <p>A user's job class is public, implements {@link Job} and, to run in worker processes,
 * {@link PartialCodec}; it has a public constructor taking a {@code Map<String, String>} of
 * parameters (and rejecting bad ones with an {@link IllegalArgumentException}), or a public
 * no-argument constructor when it takes none. The coordinator and every worker load it the
 * same way, each in its own class loader over {@code jars} whose parent is tsproc's.
 *
 * <p>Every field has a size limit, so a spec read from a message cannot make its reader
 * allocate without bound: {@value #MAX_NAME_LENGTH} characters for the name,
 * {@value #MAX_PARAMETERS} parameters with keys of at most {@value #MAX_KEY_LENGTH} characters
 * ({@code [A-Za-z][A-Za-z0-9_.-]*}) and values of at most {@value #MAX_VALUE_LENGTH},
 * {@value #MAX_JARS} jars.
 *
 * @param name       a built-in job ({@link BuiltinJob#NAMES}) or a class's binary name
 * @param parameters the job's parameters; kept sorted by key, unmodifiable
 * @param jars       absolute paths of jars holding the job's classes
 */
public record JobSpec(String name, Map<String, String> parameters, List<Path> jars) {
    public static final int MAX_NAME_LENGTH = 256;
    public static final int MAX_PARAMETERS = 64;
    public static final int MAX_KEY_LENGTH = 64;
    public static final int MAX_VALUE_LENGTH = 4096;
    public static final int MAX_JARS = 32;
    public static final int MAX_PATH_LENGTH = 4096;

    private static final Pattern CLASS_NAME =
            Pattern.compile("[\\p{L}_$][\\p{L}\\p{N}_$]*(\\.[\\p{L}_$][\\p{L}\\p{N}_$]*)*");
    private static final Pattern KEY = Pattern.compile("[A-Za-z][A-Za-z0-9_.-]*");

    public JobSpec {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("job name of " + name.length() + " characters must have 1 to "
                    + MAX_NAME_LENGTH);
        }
        boolean builtin = BuiltinJob.NAMES.contains(name.toLowerCase(Locale.ROOT));
        if (!builtin && !CLASS_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unknown job '" + name + "'; choose one of "
                    + String.join(", ", BuiltinJob.NAMES) + ", or give the class name of your own job");
        }
        parameters = sorted(parameters);
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
        jars = absolute(jars);
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

    /** The built-in job {@code name}, which takes no parameters. */
    public static JobSpec builtin(String name) {
        BuiltinJob.named(name); // fails early, naming the known jobs
        return new JobSpec(name, Map.of(), List.of());
    }

    /** Whether this names the query job ({@link QueryJob#jobSpec()}), which is bound to a store. */
    public boolean isQuery() {
        return name.equals(QueryJob.JOB_NAME);
    }

    /**
     * Creates the job over {@code store}: the query job a {@link QueryJob#jobSpec()} describes,
     * or any other job as {@link #load()} does.
     *
     * @throws IllegalArgumentException in one sentence, if the job cannot be created
     */
    public Loaded load(Store store) {
        if (isQuery()) {
            return new Loaded(QueryJob.of(this, Objects.requireNonNull(store, "store")), null);
        }
        return load();
    }

    /** Whether this names a built-in job rather than a class. */
    public boolean isBuiltin() {
        return BuiltinJob.NAMES.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Creates the job: a built-in one, or an instance of the named class loaded from
     * {@link #jars()} or the class path.
     *
     * @throws IllegalArgumentException in one sentence, if the class cannot be found, is not a
     *                                  job, has no suitable constructor, or rejects its parameters
     */
    public Loaded load() {
        if (isQuery()) {
            throw new IllegalArgumentException("the query job answers a query over one store; create it with QueryJob.on, "
                    + "or with --agg and the other query options on the command line");
        }
        if (isBuiltin()) {
            if (!parameters.isEmpty()) {
                throw new IllegalArgumentException("the built-in job " + name + " takes no parameters, got "
                        + parameters.keySet());
            }
            return new Loaded(BuiltinJob.named(name), null);
        }
        URLClassLoader loader = new URLClassLoader("tsproc-job " + name, urls(), JobSpec.class.getClassLoader());
        try {
            return new Loaded(instantiate(loader), loader);
        } catch (RuntimeException | Error e) {
            try {
                loader.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private URL[] urls() {
        URL[] urls = new URL[jars.size()];
        for (int i = 0; i < urls.length; i++) {
            Path jar = jars.get(i);
            if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
                throw new IllegalArgumentException("the job jar " + jar + " is not a readable file");
            }
            try {
                urls[i] = jar.toUri().toURL();
            } catch (MalformedURLException e) {
                throw new IllegalArgumentException("the job jar " + jar + " has no URL form", e);
            }
        }
        return urls;
    }

    private Job<?, ?> instantiate(ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("job class " + name + " was not found in "
                    + (jars.isEmpty() ? "the class path" : "the jars " + jars + " or the class path")
                    + (e instanceof LinkageError ? " (" + e + ")" : ""), e);
        }
        if (!Job.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("class " + name + " does not implement " + Job.class.getName());
        }
        if (!Modifier.isPublic(type.getModifiers()) || Modifier.isAbstract(type.getModifiers())) {
            throw new IllegalArgumentException("job class " + name + " must be public and not abstract");
        }
        try {
            Object job;
            Constructor<?> withParameters = constructor(type, Map.class);
            if (withParameters != null) {
                job = withParameters.newInstance(parameters);
            } else {
                Constructor<?> plain = constructor(type);
                if (plain == null) {
                    throw new IllegalArgumentException("job class " + name
                            + " needs a public constructor taking a Map<String, String> of parameters, or none");
                }
                if (!parameters.isEmpty()) {
                    throw new IllegalArgumentException("job class " + name + " takes no parameters, got " + parameters.keySet());
                }
                job = plain.newInstance();
            }
            return (Job<?, ?>) job;
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            throw new IllegalArgumentException("job " + name + " rejected its parameters " + parameters + ": "
                    + (cause.getMessage() == null ? cause.toString() : cause.getMessage()), cause);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("job class " + name + " could not be created: " + e, e);
        }
    }

    private static Constructor<?> constructor(Class<?> type, Class<?>... parameterTypes) {
        try {
            Constructor<?> c = type.getConstructor(parameterTypes);
            return Modifier.isPublic(c.getModifiers()) ? c : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Map<String, String> sorted(Map<String, String> parameters) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(Objects.requireNonNull(parameters, "parameters")));
    }

    private static List<Path> absolute(List<Path> jars) {
        Objects.requireNonNull(jars, "jars");
        List<Path> out = new ArrayList<>(jars.size());
        for (Path jar : jars) {
            out.add(Objects.requireNonNull(jar, "jar").toAbsolutePath().normalize());
        }
        return List.copyOf(out);
    }

    /**
     * A loaded job and the class loader its classes came from, closed together.
     *
     * @param job    the job
     * @param loader the loader over the spec's jars, or {@code null} for a built-in job
     */
    public record Loaded(Job<?, ?> job, URLClassLoader loader) implements AutoCloseable {
        /** Closes the class loader, releasing the jar files. */
        @Override
        public void close() throws IOException {
            if (loader != null) {
                loader.close();
            }
        }
    }
}
