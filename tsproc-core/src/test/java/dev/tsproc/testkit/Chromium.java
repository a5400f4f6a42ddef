package dev.tsproc.testkit;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Headless Chromium from Debian's packages, for tests that check a page really renders.
 * Required when {@code TSPROC_REQUIRE_BROWSER} is set (CI installs it); skipped otherwise.
 */
public final class Chromium {
    private static final Path BINARY = Path.of("/usr/bin/chromium");

    private Chromium() {}

    public static void assumeAvailable() {
        if (System.getenv("TSPROC_REQUIRE_BROWSER") == null) {
            assumeTrue(Files.isExecutable(BINARY), "chromium is not installed");
        }
    }

    /** The DOM of {@code page} after its scripts ran. */
    public static String dumpDom(Path page, Path profile) throws IOException, InterruptedException {
        return run(profile, "--dump-dom", page.toUri().toString());
    }

    /** Renders {@code page} to a PNG screenshot. */
    public static Path screenshot(Path page, Path profile, Path png) throws IOException, InterruptedException {
        run(profile, "--screenshot=" + png, "--window-size=1280,900", page.toUri().toString());
        return png;
    }

    private static String run(Path profile, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--headless", "--no-sandbox", "--disable-gpu",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile));
        command.addAll(List.of(args));
        Process chromium = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(chromium.getInputStream().readAllBytes());
        if (!chromium.waitFor(60, TimeUnit.SECONDS)) {
            chromium.destroyForcibly().waitFor();
            throw new IOException("chromium did not finish within 60 s");
        }
        return out;
    }
}
