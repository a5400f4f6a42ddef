package dev.tsproc.store;

import dev.tsproc.data.Batch;
import dev.tsproc.data.BatchView;
import dev.tsproc.data.Column;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Fuzzes {@link Store#open} with mutated copies of the golden stores (versions 1 and 2): flipped bits,
 * random bytes, huge or negative values written over header and table fields, truncation and
 * extension. A mutated file must open (and then read or fail its checksums) or be rejected with
 * a {@link CorruptStoreException} (at open, or as its rows are viewed); nothing else may come out. Sized to run for about 5 to 20 seconds (more on a loaded machine).
 */
class StoreOpenFuzzTest {
    private static final long[] NASTY = {0, 1, -1, 64, 160, 398, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MAX_VALUE,
            Long.MIN_VALUE, 1L << 31, 1L << 32, 1L << 40, -64};
    private static byte[][] goldens;
    private Path file;

    @BeforeProperty
    void setUp() throws IOException {
        if (goldens == null) {
            goldens = new byte[2][];
            for (int version = 1; version <= 2; version++) {
                try (InputStream in = StoreOpenFuzzTest.class.getResourceAsStream("small-v" + version + ".golden")) {
                    goldens[version - 1] = in.readAllBytes();
                }
            }
        }
        file = Files.createTempFile("tsproc-store-fuzz", ".tsp");
    }

    @AfterProperty
    void tearDown() throws IOException {
        Files.deleteIfExists(file);
    }

    @Property(tries = 40_000)
    void mutatedStoresOpenOrAreRejectedAsCorrupt(@ForAll long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        byte[] bytes = mutate(goldens[random.nextInt(goldens.length)].clone(), random);
        Files.write(file, bytes);
        try (Store store = Store.open(file)) {
            assertThat(store.rowCount()).isNotNegative();
            try {
                store.verifyChecksums();
            } catch (CorruptStoreException expected) {
                // data damage found by the checksums: documented
            }
            BatchView view = store.view(new Batch(0, 0, store.rowCount()));
            try {
                double sum = 0;
                for (long i = 0; i < view.rowCount(); i++) {
                    sum += view.ts(i) + view.value(i) + view.seriesId(i);
                }
                assertThat(sum).isNotNull();
            } catch (java.io.UncheckedIOException damaged) {
                // data damage found by a block checksum as the rows were read: documented
                assertThat(damaged.getCause()).isInstanceOf(CorruptStoreException.class);
            }
            assertThat(store.column(Column.TS).byteSize()).isEqualTo(8 * store.rowCount());
        } catch (CorruptStoreException expected) {
            assertThat(expected.getMessage()).contains("is not a valid tsproc store");
        }
    }

    private static byte[] mutate(byte[] bytes, SplittableRandom random) {
        int mutations = 1 + random.nextInt(4);
        for (int m = 0; m < mutations && bytes.length >= 8; m++) {
            switch (random.nextInt(6)) {
                case 0 -> { // flip a bit, mostly in the header and table
                    int at = random.nextInt(random.nextBoolean() ? Math.min(160, bytes.length) : bytes.length);
                    bytes[at] ^= (byte) (1 << random.nextInt(8));
                }
                case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
                case 2 -> { // a nasty value over an aligned 8-byte field of the header or table
                    int at = 8 * random.nextInt(Math.min(160, bytes.length) / 8);
                    long v = NASTY[random.nextInt(NASTY.length)];
                    int width = random.nextBoolean() ? 4 : 8;
                    for (int i = 0; i < width && at + i < bytes.length; i++) {
                        bytes[at + i] = (byte) (v >>> (8 * i));
                    }
                }
                case 3 -> bytes = Arrays.copyOf(bytes, random.nextInt(bytes.length + 1)); // truncate
                case 4 -> bytes = Arrays.copyOf(bytes, bytes.length + random.nextInt(1, 200)); // extend with zeros
                default -> { // fix up the header CRC so that the fields themselves are checked
                    if (bytes.length >= 64) {
                        int headerLength = Math.min(bytes.length, 64 + 32 * Math.max(0, Math.min(3, bytes[24])));
                        byte[] header = Arrays.copyOf(bytes, headerLength);
                        Arrays.fill(header, StoreLayout.HEADER_CRC_OFFSET, StoreLayout.HEADER_CRC_OFFSET + 4, (byte) 0);
                        java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
                        crc.update(header);
                        int c = (int) crc.getValue();
                        for (int i = 0; i < 4; i++) {
                            bytes[StoreLayout.HEADER_CRC_OFFSET + i] = (byte) (c >>> (8 * i));
                        }
                    }
                }
            }
        }
        return bytes;
    }
}
