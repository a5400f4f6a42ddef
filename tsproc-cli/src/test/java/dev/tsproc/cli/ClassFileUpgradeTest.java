package dev.tsproc.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.IOException;
import java.lang.classfile.Attributes;
import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassModel;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;

import static org.assertj.core.api.Assertions.assertThat;

/** picocli's jar, upgraded as the build does it for the start-up cache, still works. */
class ClassFileUpgradeTest {
    @TempDir
    static Path dir;
    static Path original;
    static Path upgraded;

    @BeforeAll
    static void upgradePicocli() throws IOException, URISyntaxException {
        original = Path.of(CommandLine.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        upgraded = dir.resolve("picocli.jar");
        ClassFileUpgrade.upgrade(original, upgraded);
    }

    @Test
    void everyClassIsJava8WithStackMapsAndTheRestIsCopied() throws IOException {
        List<String> before = names(original);
        assertThat(names(upgraded)).containsExactlyElementsOf(before);
        int withStackMaps = 0;
        try (JarFile jar = new JarFile(upgraded.toFile())) {
            for (String name : before) {
                if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
                    continue;
                }
                ClassModel model = ClassFile.of().parse(jar.getInputStream(jar.getEntry(name)).readAllBytes());
                assertThat(model.majorVersion()).as(name).isEqualTo(ClassFile.JAVA_8_VERSION);
                withStackMaps += model.methods().stream().flatMap(m -> m.code().stream())
                        .anyMatch(code -> code.findAttribute(Attributes.stackMapTable()).isPresent()) ? 1 : 0;
            }
        }
        assertThat(withStackMaps).isPositive();
    }

    /**
     * Version 52 classes get no fallback to the old verifier: each must pass the type-checking
     * one with its new stack maps. Then the library parses a command line as before.
     */
    @Test
    void theClassesVerifyAndParseACommandLine() throws Exception {
        try (URLClassLoader loader = new URLClassLoader(new URL[] {upgraded.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
            for (String name : names(upgraded)) {
                if (name.endsWith(".class") && !name.startsWith("META-INF/")) {
                    Class<?> c = Class.forName(name.substring(0, name.length() - ".class".length()).replace('/', '.'), true, loader);
                    assertThat(c.getClassLoader()).isSameAs(loader);
                }
            }
            Class<?> specClass = loader.loadClass("picocli.CommandLine$Model$CommandSpec");
            Class<?> optionClass = loader.loadClass("picocli.CommandLine$Model$OptionSpec");
            Object spec = specClass.getMethod("create").invoke(null);
            Object builder = optionClass.getMethod("builder", String[].class).invoke(null, (Object) new String[] {"--rows"});
            Method type = builder.getClass().getMethod("type", Class.class);
            type.setAccessible(true);  // declared by a package-private superclass
            type.invoke(builder, long.class);
            specClass.getMethod("addOption", optionClass).invoke(spec, builder.getClass().getMethod("build").invoke(builder));
            Class<?> commandLine = loader.loadClass("picocli.CommandLine");
            Object cli = commandLine.getConstructor(Object.class).newInstance(spec);
            Object result = commandLine.getMethod("parseArgs", String[].class).invoke(cli, (Object) new String[] {"--rows", "7"});
            Object rows = result.getClass().getMethod("matchedOptionValue", String.class, Object.class).invoke(result, "--rows", 0L);
            assertThat(rows).isEqualTo(7L);
        }
    }

    @Test
    void aJarNewerThanItsSourceIsLeftAlone() throws IOException {
        Path out = dir.resolve("left-alone.jar");
        Files.writeString(out, "not rewritten");
        Files.setLastModifiedTime(out, FileTime.fromMillis(Files.getLastModifiedTime(original).toMillis() + 1000));
        ClassFileUpgrade.main(new String[] {original.toString(), out.toString()});
        assertThat(Files.readString(out)).isEqualTo("not rewritten");
        Files.setLastModifiedTime(out, FileTime.fromMillis(Files.getLastModifiedTime(original).toMillis() - 1000));
        ClassFileUpgrade.main(new String[] {original.toString(), out.toString()});
        assertThat(names(out)).isEqualTo(names(original));
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".partial"));
        }
    }

    private static List<String> names(Path jar) throws IOException {
        List<String> names = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            file.stream().map(ZipEntry::getName).forEach(names::add);
        }
        return names;
    }
}
