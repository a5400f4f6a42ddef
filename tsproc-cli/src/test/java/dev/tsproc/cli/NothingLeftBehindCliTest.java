package dev.tsproc.cli;

import dev.tsproc.testkit.NothingLeftBehindTest;
import org.junit.jupiter.api.Order;

/** The same end-of-suite check as the core's, after the command-line tests. */
@Order(Integer.MAX_VALUE)
class NothingLeftBehindCliTest extends NothingLeftBehindTest {}
