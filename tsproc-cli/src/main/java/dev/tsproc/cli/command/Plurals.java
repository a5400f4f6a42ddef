package dev.tsproc.cli.command;

import java.util.Locale;

/** Counts in messages, with their noun in the singular for one: {@code 1 batch}, {@code 2 batches}. */
final class Plurals {
    private Plurals() {}

    /** {@code n} with grouping separators, then {@code one} if {@code n} is 1, else {@code many}. */
    static String count(long n, String one, String many) {
        return String.format(Locale.ROOT, "%,d %s", n, n == 1 ? one : many);
    }
}
