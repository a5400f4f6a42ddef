package dev.tsproc.exec;

import java.util.List;
import java.util.Locale;

/**
 * How far a run got before it was stopped (by its deadline, Ctrl-C or cancellation).
 *
 * @param batchCount    batches in the plan
 * @param rowCount      rows in the plan
 * @param batchesDone   batches that finished
 * @param rowsDone      rows of the batches that finished
 * @param cancelled     batches that were running when the run was stopped, by index
 * @param notStarted    batches never started
 */
public record RunProgress(long batchCount, long rowCount, long batchesDone, long rowsDone, List<Long> cancelled,
                          long notStarted) {
    public RunProgress {
        cancelled = List.copyOf(cancelled);
    }

    /** "3 of 10 batches finished (3,000 of 10,000 rows); batches 3 and 4 cancelled; 3 not started". */
    public String describe() {
        StringBuilder s = new StringBuilder(String.format(Locale.ROOT, "%d of %d batches finished (%,d of %,d rows)",
                batchesDone, batchCount, rowsDone, rowCount));
        if (!cancelled.isEmpty()) {
            s.append("; ").append(cancelled.size() == 1 ? "batch " : "batches ").append(list(cancelled)).append(" cancelled");
        }
        if (notStarted > 0) {
            s.append("; ").append(notStarted).append(" not started");
        }
        return s.toString();
    }

    private static String list(List<Long> indexes) {
        final int shown = 10;
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < Math.min(shown, indexes.size()); i++) {
            s.append(i == 0 ? "" : ", ").append(indexes.get(i));
        }
        if (indexes.size() > shown) {
            s.append(" and ").append(indexes.size() - shown).append(" more");
        }
        return s.toString();
    }
}
