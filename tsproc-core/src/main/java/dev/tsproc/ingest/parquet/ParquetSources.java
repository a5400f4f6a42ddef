package dev.tsproc.ingest.parquet;

import dev.tsproc.ingest.BadInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import java.util.stream.Stream;

/**
 * The Parquet files a user names: one file, a directory (every {@code *.parquet} file under it,
 * as Hive-partitioned data sets are laid out), or a glob such as {@code 'data/2024-*.parquet'}.
 * Files are taken in path order, so an import does not depend on the order a directory lists.
 * Under a directory, names starting with {@code .} or {@code _} are skipped: writers leave such
 * files ({@code _SUCCESS}, {@code .crc}, temporary files) beside the data.
 */
public final class ParquetSources {
    private ParquetSources() {}

    /**
     * The files {@code spec} names, in path order.
     *
     * @throws NoSuchFileException if {@code spec} is neither a file nor a directory and no glob
     * @throws BadInputException   if a directory or glob holds no Parquet file
     */
    public static List<Path> resolve(String spec) throws IOException {
        Path path = Path.of(spec);
        if (Files.isRegularFile(path)) {
            return List.of(path);
        }
        if (Files.isDirectory(path)) {
            return found(path, under(path, p -> p.getFileName().toString().endsWith(".parquet")), "it is a directory holding no *.parquet file");
        }
        int wildcard = firstWildcard(spec);
        if (wildcard < 0) {
            throw new NoSuchFileException(spec);
        }
        int slash = spec.lastIndexOf('/', wildcard);
        Path base = slash < 0 ? Path.of("") : Path.of(slash == 0 ? "/" : spec.substring(0, slash));
        if (!Files.isDirectory(base)) {
            throw new NoSuchFileException(base.toString(), null, "the directory of the pattern does not exist");
        }
        PathMatcher matcher = FileSystems.getDefault().getPathMatcher("glob:" + spec.substring(slash + 1));
        return found(Path.of(spec), under(base, p -> matcher.matches(base.relativize(p))), "matches no file");
    }

    private static List<Path> found(Path spec, List<Path> files, String none) throws BadInputException {
        if (files.isEmpty()) {
            throw new BadInputException(spec, none);
        }
        return files;
    }

    private static List<Path> under(Path dir, java.util.function.Predicate<Path> wanted) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(p -> !p.equals(dir) && !hidden(dir.relativize(p)))
                    .filter(Files::isRegularFile).filter(wanted).sorted().toList();
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Whether any part of {@code relative} starts with {@code .} or {@code _}. */
    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            String name = part.toString();
            if (name.startsWith(".") || name.startsWith("_")) {
                return true;
            }
        }
        return false;
    }

    private static int firstWildcard(String spec) {
        for (int i = 0; i < spec.length(); i++) {
            if ("*?[{".indexOf(spec.charAt(i)) >= 0) {
                return i;
            }
        }
        return -1;
    }
}
