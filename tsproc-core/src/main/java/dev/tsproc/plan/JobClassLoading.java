package dev.tsproc.plan;

import dev.tsproc.job.BuiltinJob;
import dev.tsproc.job.Job;

import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Modifier;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** How a {@link JobRequest.Custom} becomes a job: its class loaded over its jars, then created with its parameters. */
final class JobClassLoading {
    private JobClassLoading() {}

    /**
     * Creates the job {@code request} names, in a class loader of its own over its jars whose
     * parent is tsproc's.
     *
     * @throws IllegalArgumentException in one sentence, if the class cannot be found, is not a
     *                                  job, has no suitable constructor, or rejects its parameters
     */
    static JobRequest.Resolved load(JobRequest.Custom request) {
        URLClassLoader loader = new URLClassLoader("tsproc-job " + request.className(), urls(request.jars()),
                JobRequest.class.getClassLoader());
        try {
            return new JobRequest.Resolved(instantiate(request, loader), loader);
        } catch (RuntimeException | Error e) {
            try {
                loader.close();
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static URL[] urls(List<Path> jars) {
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

    private static Job<?, ?> instantiate(JobRequest.Custom request, ClassLoader loader) {
        String name = request.className();
        Map<String, String> parameters = request.parameters();
        Class<?> type;
        try {
            type = Class.forName(name, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            String where = request.jars().isEmpty() ? "the class path" : "the jars " + request.jars() + " or the class path";
            // a name without a package was more likely meant as a built-in job than as a class
            throw new IllegalArgumentException(e instanceof LinkageError ? "job class " + name + " was not found in " + where + " (" + e + ")"
                    : name.indexOf('.') < 0 ? "unknown job '" + name + "': not built in, nor a class in " + where + BuiltinJob.hint(name)
                    : "job class " + name + " was not found in " + where, e);
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
}
