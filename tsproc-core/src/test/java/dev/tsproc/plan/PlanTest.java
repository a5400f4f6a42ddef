package dev.tsproc.plan;

import dev.tsproc.data.Batch;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PlanTest {

    @Property(tries = 2000)
    void batchesAreDisjointAndCoverEveryRowExactly(@ForAll @LongRange(max = 1L << 40) long rows,
                                                   @ForAll @LongRange(min = 1, max = 1L << 36) long batchRows) {
        Plan plan = new Plan(rows, batchRows);
        long count = plan.batchCount();
        assertThat(count).isEqualTo(rows == 0 ? 0 : (rows - 1) / batchRows + 1);
        if (count == 0) {
            return;
        }
        // Every batch but the last is full, so first and last batches determine the cover.
        Batch first = plan.batch(0);
        Batch last = plan.batch(count - 1);
        assertThat(first.rowOffset()).isZero();
        assertThat(first.rowCount()).isEqualTo(Math.min(rows, batchRows));
        assertThat(last.rowEnd()).isEqualTo(rows);
        assertThat(last.rowCount()).isBetween(1L, batchRows);
        if (count > 2) {
            Batch middle = plan.batch(count / 2);
            assertThat(middle.rowOffset()).isEqualTo(count / 2 * batchRows);
            assertThat(middle.rowCount()).isEqualTo(batchRows);
        }
        if (count > 1) {
            assertThat(plan.batch(count - 2).rowEnd()).isEqualTo(last.rowOffset());
        }
    }

    @Test
    void aBatchBeyondTwoToThe31RowsHasExactLongOffsets() {
        Plan plan = new Plan((1L << 31) + 10, 1 << 20);
        Batch last = plan.batch(plan.batchCount() - 1);
        assertThat(last.rowOffset()).isEqualTo(1L << 31);
        assertThat(last.rowCount()).isEqualTo(10);
    }

    @Test
    void rejectsImpossiblePlans() {
        assertThatThrownBy(() -> new Plan(-1, 10)).hasMessageContaining("rowCount=-1");
        assertThatThrownBy(() -> new Plan(10, 0)).hasMessageContaining("batchRows=0");
        assertThatThrownBy(() -> new Plan(10, 3).batch(4)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
