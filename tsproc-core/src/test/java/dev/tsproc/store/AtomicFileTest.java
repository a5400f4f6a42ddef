package dev.tsproc.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AtomicFileTest {
    @TempDir
    Path dir;

    @Test
    void publishesTheWholeFileOwnerOnlyAndNothingElse() throws IOException {
        Path target = dir.resolve("out.txt");
        try (AtomicFile file = AtomicFile.create(target)) {
            file.outputStream().write("hello\n".getBytes());
            assertThat(target).doesNotExist();
            file.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("hello\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");
        assertThat(listing()).containsExactly("out.txt");
    }

    @Test
    void closingWithoutACommitLeavesNothing() throws IOException {
        try (AtomicFile file = AtomicFile.create(dir.resolve("out.txt"))) {
            file.writer().append("half").flush();
        }
        assertThat(listing()).isEmpty();
    }

    @SuppressWarnings("try") // two open temporary files are the point
    @Test
    void temporaryNamesAreHiddenAndUnpredictable() throws IOException {
        try (AtomicFile a = AtomicFile.create(dir.resolve("out.txt")); AtomicFile b = AtomicFile.create(dir.resolve("out.txt"))) {
            assertThat(listing()).hasSize(2).allSatisfy(name -> assertThat(name).matches("\\.out\\.txt\\.partial-[0-9a-f]{32}"));
        }
    }

    @Test
    void aTargetThatAppearsBeforeTheCommitIsNeitherReplacedNorFollowed() throws IOException {
        Path target = dir.resolve("out.txt");
        Path canary = Files.writeString(dir.resolve("canary"), "keep");
        try (AtomicFile file = AtomicFile.create(target)) {
            file.writer().append("mine").flush();
            Files.createSymbolicLink(target, canary);
            assertThatThrownBy(file::commit).isInstanceOf(FileAlreadyExistsException.class).hasMessageContaining(target.toString());
        }
        assertThat(Files.readString(canary)).isEqualTo("keep");
        assertThat(Files.isSymbolicLink(target)).isTrue();
        assertThat(listing()).containsExactlyInAnyOrder("canary", "out.txt");
    }

    @Test
    void aReplacementSwapsTheWholeFileAndReplacesALinkWithoutFollowingIt() throws IOException {
        Path target = Files.writeString(dir.resolve("out.txt"), "old");
        try (AtomicFile file = AtomicFile.replace(target)) {
            file.writer().append("new").flush();
            assertThat(Files.readString(target)).isEqualTo("old");
            file.commit();
        }
        assertThat(Files.readString(target)).isEqualTo("new");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(target))).isEqualTo("rw-------");

        Path canary = Files.writeString(dir.resolve("canary"), "keep");
        Path link = Files.createSymbolicLink(dir.resolve("link"), canary);
        try (AtomicFile file = AtomicFile.replace(link)) {
            file.writer().append("mine").flush();
            file.commit();
        }
        assertThat(Files.isSymbolicLink(link)).isFalse();
        assertThat(Files.readString(link)).isEqualTo("mine");
        assertThat(Files.readString(canary)).isEqualTo("keep");

        try (AtomicFile file = AtomicFile.replace(dir.resolve("absent"))) {
            file.writer().append("first").flush();
            file.commit();
        }
        assertThat(Files.readString(dir.resolve("absent"))).isEqualTo("first");
        assertThat(listing()).containsExactlyInAnyOrder("out.txt", "canary", "link", "absent");
        assertThatThrownBy(() -> AtomicFile.replace(dir)).isInstanceOf(IOException.class).hasMessageContaining("is a directory");
    }

    @Test
    void refusesAnExistingTargetAndAMissingDirectory() throws IOException {
        Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere"));
        assertThatThrownBy(() -> AtomicFile.create(dir.resolve("dangling"))).isInstanceOf(FileAlreadyExistsException.class);
        assertThatThrownBy(() -> AtomicFile.create(dir.resolve("no/such/dir/out"))).isInstanceOf(IOException.class).hasMessageContaining("does not exist");
        assertThat(listing()).containsExactly("dangling");
    }

    @Test
    void sweepingRemovesOnlyTheUnlockedTemporaryFilesOfDeadWriters() throws IOException {
        String hex = "0123456789abcdef0123456789abcdef";
        Path dead = Files.writeString(dir.resolve(".a.tsp.partial-" + hex), "left by a writer killed with SIGKILL");
        Files.writeString(dir.resolve(".b.tsp.partial-short"), "not a name AtomicFile gives");
        Files.writeString(dir.resolve("c.tsp"), "a store");
        Files.createSymbolicLink(dir.resolve(".d.tsp.partial-" + hex), dir.resolve("c.tsp"));
        try (AtomicFile live = AtomicFile.create(dir.resolve("e.tsp"))) {
            live.writer().append("being written").flush();
            assertThat(AtomicFile.sweepAbandoned(dir)).containsExactly(dir.toRealPath().resolve(dead.getFileName()));
            assertThat(listing()).hasSize(4).doesNotContain(dead.getFileName().toString())
                    .anySatisfy(name -> assertThat(name).startsWith(".e.tsp.partial-"));
            live.commit();
        }
        assertThat(Files.readString(dir.resolve("e.tsp"))).isEqualTo("being written");
    }

    @Test
    void ofTwoWritersOfOneTargetOnePublishesAndTheOtherIsRefused() throws IOException {
        Path target = dir.resolve("out.txt");
        try (AtomicFile first = AtomicFile.create(target); AtomicFile second = AtomicFile.create(target)) {
            first.writer().append("first");
            second.writer().append("second");
            second.commit();
            assertThatThrownBy(first::commit).isInstanceOf(FileAlreadyExistsException.class);
        }
        assertThat(Files.readString(target)).isEqualTo("second");
        assertThat(listing()).containsExactly("out.txt");
    }

    private java.util.List<String> listing() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
