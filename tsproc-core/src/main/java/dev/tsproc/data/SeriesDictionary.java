package dev.tsproc.data;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The names of a store's series, indexed by the int32 ids held in the {@link Column#SERIES}
 * column.
 *
 * <p>Immutable and safe to share between threads. Dictionaries are small (one entry per
 * series, not per row), so they live on the heap.
 */
public final class SeriesDictionary {
    /** Upper bound on distinct series; beyond it grouped results would not fit in memory. */
    public static final int MAX_SERIES = 10_000_000;

    private static final SeriesDictionary EMPTY = new SeriesDictionary(List.of());

    private final List<String> names;
    private final Map<String, Integer> ids;

    private SeriesDictionary(List<String> names) {
        this.names = List.copyOf(names);
        this.ids = new HashMap<>(Math.max(16, names.size() * 2));
        for (int i = 0; i < this.names.size(); i++) {
            if (ids.putIfAbsent(this.names.get(i), i) != null) {
                throw new IllegalArgumentException("duplicate series name '" + this.names.get(i) + "'");
            }
        }
    }

    /** A dictionary holding {@code names} in id order; names must be distinct. */
    public static SeriesDictionary of(List<String> names) {
        Objects.requireNonNull(names, "names");
        if (names.size() > MAX_SERIES) {
            throw new IllegalArgumentException(
                    "too many series: " + names.size() + " (at most " + MAX_SERIES + ")");
        }
        return names.isEmpty() ? EMPTY : new SeriesDictionary(names);
    }

    /** The dictionary of a store without a series column. */
    public static SeriesDictionary empty() {
        return EMPTY;
    }

    /** Number of series. */
    public int size() {
        return names.size();
    }

    /** The name of series {@code id}. */
    public String name(int id) {
        return names.get(id);
    }

    /** All names in id order. */
    public List<String> names() {
        return names;
    }

    /** The id of {@code name}, or -1 if the dictionary has no such series. */
    public int idOf(String name) {
        Integer id = ids.get(name);
        return id == null ? -1 : id;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SeriesDictionary d && d.names.equals(names);
    }

    @Override
    public int hashCode() {
        return names.hashCode();
    }

    @Override
    public String toString() {
        return "SeriesDictionary" + (names.size() <= 8 ? names : "[" + names.size() + " series]");
    }
}
