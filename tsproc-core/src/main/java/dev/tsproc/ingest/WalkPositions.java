package dev.tsproc.ingest;

/**
 * Where every series' random walk stands at the start of the next block, advanced one block at
 * a time in block order.
 *
 * <p>This is the sequential step between a walk block's two passes. A worker first draws its
 * block's steps and sums them per series (pass 1, in parallel with other blocks), then calls
 * {@link #advance}, which waits until every earlier block has advanced, hands back the
 * positions its series start from and moves them on by the block's sums; then the worker
 * writes the running positions (pass 2, in parallel again). Positions are advanced by each
 * block's sums in block order whatever thread ran the block, so the floating-point result is
 * the same for any thread count. Workers take blocks in increasing order, so the lowest
 * block not yet advanced always belongs to a worker that will reach its turn: no deadlock. A
 * worker that stops early (its task group was cancelled) is interrupted out of its wait.
 *
 * <p>Thread safety: {@link #advance} may be called from any thread.
 */
final class WalkPositions {
    private final double[] positions; // one per series: the walks are state the size of the series count
    private long nextBlock; // guarded by this

    WalkPositions(int seriesCount) {
        this.positions = new double[seriesCount];
    }

    /**
     * Waits for block {@code blockIndex}'s turn, then, for each of the {@code count} series in
     * {@code ids}, stores its position at the block's start in {@code starts} and advances it by
     * {@code sums}.
     *
     * @throws InterruptedException if interrupted while waiting for the turn
     */
    synchronized void advance(long blockIndex, int[] ids, double[] sums, double[] starts, int count)
            throws InterruptedException {
        while (nextBlock != blockIndex) {
            wait();
        }
        for (int slot = 0; slot < count; slot++) {
            starts[slot] = positions[ids[slot]];
            positions[ids[slot]] += sums[slot];
        }
        nextBlock++;
        notifyAll();
    }
}
