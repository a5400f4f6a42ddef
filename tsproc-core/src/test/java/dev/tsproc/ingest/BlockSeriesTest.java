package dev.tsproc.ingest;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class BlockSeriesTest {

    @Property(tries = 200)
    void numbersSeriesInOrderOfFirstOccurrenceAcrossClears(
            @ForAll @Size(max = 3) List<@Size(max = 300) List<@IntRange(max = 10_000_000) Integer>> blocks) {
        BlockSeries blockSeries = new BlockSeries(300);
        for (List<Integer> block : blocks) {
            blockSeries.clear();
            Map<Integer, Integer> expected = new LinkedHashMap<>();
            for (int seriesId : block) {
                int slot = blockSeries.slotOf(seriesId);
                assertThat(slot).isEqualTo(expected.computeIfAbsent(seriesId, id -> expected.size()));
            }
            assertThat(blockSeries.count()).isEqualTo(expected.size());
            for (Map.Entry<Integer, Integer> e : expected.entrySet()) {
                assertThat(blockSeries.ids()[e.getValue()]).isEqualTo(e.getKey());
            }
        }
    }
}
