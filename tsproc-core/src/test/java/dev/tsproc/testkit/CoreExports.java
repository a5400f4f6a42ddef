package dev.tsproc.testkit;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import dev.tsproc.Tsproc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.module.ModuleDescriptor;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;

/**
 * The API of tsproc-core as its compiled module descriptor states it, for the ArchUnit tests of
 * the modules that use core from the class path (the CLI, the benchmarks), where the JVM does not
 * enforce a module's exports. Reading the descriptor keeps module-info.java the one list.
 */
public final class CoreExports {
    private CoreExports() {}

    /** Where tsproc-core's classes are: its classes directory in the build, or its jar. */
    private static Path location() {
        try {
            return Path.of(Tsproc.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The packages tsproc-core exports (to everyone: it has no qualified exports). */
    public static Set<String> packages() {
        Path core = location();
        try {
            ModuleDescriptor module;
            if (Files.isDirectory(core)) {
                try (InputStream in = Files.newInputStream(core.resolve("module-info.class"))) {
                    module = ModuleDescriptor.read(in);
                }
            } else {
                try (JarFile jar = new JarFile(core.toFile()); InputStream in = jar.getInputStream(jar.getEntry("module-info.class"))) {
                    module = ModuleDescriptor.read(in);
                }
            }
            return module.exports().stream().map(ModuleDescriptor.Exports::source).collect(Collectors.toUnmodifiableSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A class of tsproc-core (loaded from its location) in a package that core does not export. */
    public static DescribedPredicate<JavaClass> unexportedCoreClass() {
        Path core = location();
        Set<String> exported = packages();
        return DescribedPredicate.describe("are tsproc-core's, in a package it does not export (it exports "
                        + exported.stream().sorted().collect(Collectors.joining(", ")) + ")",
                c -> c.getSource().map(s -> isIn(s.getUri(), core)).orElse(false) && !exported.contains(c.getPackageName()));
    }

    /** Whether the class file at {@code classFile} (a file, or an entry {@code jar:file:…!/…}) is in {@code core}. */
    private static boolean isIn(URI classFile, Path core) {
        String uri = classFile.toString();
        if (uri.startsWith("jar:")) {
            return Path.of(URI.create(uri.substring("jar:".length(), uri.indexOf("!/")))).equals(core);
        }
        return "file".equals(classFile.getScheme()) && Path.of(classFile).startsWith(core);
    }
}
