package dev.tsproc.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassFileVersion;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.ClassModel;
import java.lang.classfile.ClassTransform;
import java.lang.classfile.CodeTransform;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * A build step: copies a jar with its class files older than Java 6 rewritten as Java 8 class
 * files, so that the JVM's ahead-of-time cache can hold them linked.
 *
 * <p>picocli is compiled for Java 5 (class file version 49). Such classes are checked by the
 * old type-inferring verifier, and JDK 25's AOT class linking leaves them out of the cache
 * ("Old class has been linked"), so every start of the CLI loaded, verified and linked
 * picocli's 182 classes from its jar again (docs/DESIGN-NOTES.md, "A one-shot run starts
 * warm"). Version 52 needs a {@code StackMapTable} for each method; the JDK's class-file API
 * computes them when it rebuilds a method's code. Nothing else changes: the instructions,
 * constants and attributes are the library's own, and classes already at version 50 or later
 * are copied byte for byte.
 *
 * <p>Usage (the tsproc-cli pom runs it in the {@code package} phase):
 * {@code ClassFileUpgrade IN.jar OUT.jar}. {@code OUT.jar} is written aside under a random
 * name and renamed over the old one in one step; it is left alone when it is newer than
 * {@code IN.jar}, so a rebuild does not change it and the launcher does not record its
 * start-up cache again.
 */
public final class ClassFileUpgrade {
    /** Java 8: the first version the AOT cache links whatever the verifier. */
    static final int TARGET_MAJOR = ClassFile.JAVA_8_VERSION;

    private ClassFileUpgrade() {}

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: ClassFileUpgrade IN.jar OUT.jar");
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (Files.isRegularFile(out) && Files.getLastModifiedTime(out).compareTo(Files.getLastModifiedTime(in)) > 0) {
            return;
        }
        upgrade(in, out);
    }

    /** Writes {@code out}: {@code in} with every class file older than Java 8 rewritten as Java 8. */
    static void upgrade(Path in, Path out) throws IOException {
        Path temp = Files.createTempFile(out.toAbsolutePath().getParent(), "." + out.getFileName() + ".", ".partial");
        try (URLClassLoader jar = new URLClassLoader(new URL[] {in.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            // Stack maps name the common supertype where branches meet: found in the JDK or in the jar itself.
            ClassFile classFile = ClassFile.of(ClassFile.StackMapsOption.GENERATE_STACK_MAPS, ClassFile.ClassHierarchyResolverOption.of(
                    ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofResourceParsing(jar))));
            try (InputStream source = Files.newInputStream(in);
                 ZipInputStream zin = new ZipInputStream(source);
                 OutputStream target = Files.newOutputStream(temp);
                 ZipOutputStream zout = new ZipOutputStream(target)) {
                for (ZipEntry entry; (entry = zin.getNextEntry()) != null; ) {
                    byte[] bytes = zin.readAllBytes();
                    if (entry.getName().endsWith(".class") && !entry.getName().startsWith("META-INF/")) {
                        bytes = upgraded(classFile, bytes);
                    }
                    ZipEntry copy = new ZipEntry(entry.getName());
                    copy.setTime(entry.getTime());
                    zout.putNextEntry(copy);
                    zout.write(bytes);
                    zout.closeEntry();
                }
            }
            if (Files.getFileStore(temp).supportsFileAttributeView("posix")) {
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rw-r--r--"));  // a jar, as Maven writes them
            }
            Files.move(temp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    /** The class file {@code bytes} at version 8 with stack maps, or as it is if it is newer. */
    static byte[] upgraded(ClassFile classFile, byte[] bytes) {
        ClassModel model = classFile.parse(bytes);
        if (model.majorVersion() >= TARGET_MAJOR) {
            return bytes;
        }
        // The version comes first in a class's elements, so methods are rebuilt, with stack maps, for version 8.
        ClassTransform toJava8 = (builder, element) -> {
            if (element instanceof ClassFileVersion) {
                builder.withVersion(TARGET_MAJOR, 0);
            } else {
                builder.with(element);
            }
        };
        return classFile.transformClass(model, toJava8.andThen(ClassTransform.transformingMethodBodies(CodeTransform.ACCEPT_ALL)));
    }
}
