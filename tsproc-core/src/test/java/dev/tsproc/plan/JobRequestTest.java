package dev.tsproc.plan;

import dev.tsproc.data.SeriesDictionary;
import dev.tsproc.exec.Coordinator;
import dev.tsproc.exec.Executor;
import dev.tsproc.job.Aggregate;
import dev.tsproc.job.PartialCodec;
import dev.tsproc.job.QueryJob;
import dev.tsproc.job.QuerySpec;
import dev.tsproc.job.TimeBuckets;
import dev.tsproc.testkit.JobJars;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JobRequestTest {
    @TempDir
    Path dir;

    private static JobRequest roundTrip(JobRequest request) {
        return JobRequest.decode(ByteBuffer.wrap(request.encode()));
    }

    @Test
    void resolvesBuiltinJobsByName() throws Exception {
        try (JobRequest.Resolved loaded = JobRequest.builtin("STATS").resolve(null)) {
            assertThat(loaded.job()).isInstanceOf(QueryJob.class);
            assertThat(loaded.job().name()).isEqualTo("stats");
            assertThat(loaded.loader()).isNull();
        }
        assertThatThrownBy(() -> JobRequest.named("sum", Map.of("x", "1"), List.of()))
                .hasMessageContaining("the built-in job sum takes no parameters");
        assertThatThrownBy(() -> JobRequest.named("sum", Map.of(), List.of(dir.resolve("a.jar"))))
                .hasMessage("--jar is for your own job classes; sum is built in");
        assertThatThrownBy(() -> JobRequest.builtin("summ")).hasMessageContaining("unknown job 'summ'");
        assertThat(JobRequest.named("Sum", Map.of(), List.of())).isEqualTo(JobRequest.builtin("sum"));
        assertThat(JobRequest.named("a.B", Map.of(), List.of())).isInstanceOf(JobRequest.Custom.class);
    }

    @Test
    void loadsAJobClassFromAJarWithItsParameters() throws Exception {
        Path jar = JobJars.compile(dir, "example.AboveJob", JobJars.ABOVE_JOB, dir.resolve("jobs.jar"));
        JobRequest spec = JobRequest.custom("example.AboveJob", Map.of("threshold", "0.5"), List.of(jar));
        try (JobRequest.Resolved loaded = spec.resolve(null)) {
            assertThat(loaded.job().name()).isEqualTo("above");
            assertThat(loaded.job()).isInstanceOf(PartialCodec.class);
            assertThat(loaded.job().getClass().getClassLoader()).isSameAs(loaded.loader());
        }
        assertThatThrownBy(() -> JobRequest.custom("example.AboveJob", Map.of(), List.of(jar)).resolve(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job example.AboveJob rejected its parameters {}: AboveJob takes one parameter, threshold");
        assertThatThrownBy(() -> JobRequest.custom("example.AboveJob", Map.of("threshold", "0.5"), List.of()).resolve(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("job class example.AboveJob was not found in the class path");
    }

    @Test
    void refusesClassesThatAreNotJobs() {
        assertThatThrownBy(() -> JobRequest.custom("java.lang.String", Map.of(), List.of()).resolve(null))
                .hasMessage("class java.lang.String does not implement dev.tsproc.job.Job");
        assertThatThrownBy(() -> JobRequest.custom("no.such.Job", Map.of(), List.of(dir.resolve("missing.jar"))).resolve(null))
                .hasMessageContaining("missing.jar is not a readable file");
    }

    @Test
    void validatesItsFields() {
        assertThatThrownBy(() -> JobRequest.custom("", Map.of(), List.of())).hasMessageContaining("must have 1 to 256");
        assertThatThrownBy(() -> JobRequest.custom("not a class", Map.of(), List.of())).hasMessageContaining("unknown job 'not a class'");
        assertThatThrownBy(() -> JobRequest.custom("a.B", Map.of("1bad", "x"), List.of())).hasMessageContaining("parameter name '1bad'");
        assertThatThrownBy(() -> JobRequest.custom("a.B", Map.of("k", "line\nbreak"), List.of())).hasMessageContaining("no control characters");
        assertThatThrownBy(() -> JobRequest.custom("a.B", Map.of("k", "x".repeat(JobRequest.MAX_VALUE_LENGTH + 1)), List.of()))
                .hasMessageContaining("at most 4096 characters");
        Map<String, String> many = new LinkedHashMap<>();
        for (int i = 0; i <= JobRequest.MAX_PARAMETERS; i++) {
            many.put("k" + i, "v");
        }
        assertThatThrownBy(() -> JobRequest.custom("a.B", many, List.of())).hasMessageContaining("65 job parameters are more than 64");
    }

    @Test
    void aQueryOfTooManySeriesRunsOnThreadsButCannotTravel() {
        List<String> tooMany = IntStream.range(0, JobRequest.MAX_SERIES + 1).mapToObj(i -> "s" + i).toList();
        JobRequest many = JobRequest.query(new QuerySpec(Aggregate.STATS, true, 0, Long.MIN_VALUE, Long.MAX_VALUE, tooMany, false));
        assertThatThrownBy(many::encode).hasMessageStartingWith("a query of 65537 series (")
                .hasMessageEndingWith("is too long to send to worker processes (at most 65536 and 4194304); run it on threads,"
                        + " or name fewer series");
        QueryJob job = QueryJob.of(((JobRequest.Query) many).spec(), SeriesDictionary.of(tooMany), true);
        Coordinator.requireRunnable(job, many, Executor.Kind.THREADS); // nothing travels
        assertThatThrownBy(() -> Coordinator.requireRunnable(job, many, Executor.Kind.PROCESSES))
                .hasMessageContaining("too long to send to worker processes");
        List<String> longNames = IntStream.range(0, 2_000).mapToObj(i -> i + "x".repeat(JobRequest.MAX_VALUE_LENGTH - 5)).toList();
        JobRequest wordy = JobRequest.query(new QuerySpec(Aggregate.STATS, true, 0, Long.MIN_VALUE, Long.MAX_VALUE, longNames, false));
        assertThatThrownBy(wordy::encode).hasMessageContaining("too long to send to worker processes");
    }

    @Test
    void keepsParametersSortedAndJarsAbsolute() {
        JobRequest.Custom spec = new JobRequest.Custom("a.B", Map.of("z", "1", "a", "2"), List.of(Path.of("rel/x.jar")));
        assertThat(spec.parameters().keySet()).containsExactly("a", "z");
        assertThat(spec.jars().getFirst()).isAbsolute();
        assertThat(spec).isEqualTo(JobRequest.custom("a.B", Map.of("a", "2", "z", "1"), List.of(Path.of("rel/x.jar"))));
    }

    @Test
    void everyKindSurvivesItsEncoding() {
        List<String> series = IntStream.range(0, 20_000).mapToObj(i -> "sensor-ü-" + i).toList();
        List<JobRequest> requests = List.of(
                JobRequest.builtin("stddev"),
                JobRequest.custom("com.example.Above", Map.of("threshold", "0.5", "b", "ünïcode"), List.of(Path.of("/tmp/j.jar"))),
                JobRequest.query(new QuerySpec(List.of(Aggregate.COUNT, Aggregate.P99), true, 60_000_000_000L, -5, 1L << 60,
                        series, true)),
                JobRequest.query(QuerySpec.of(Aggregate.STATS)),
                JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), false, TimeBuckets.fixed(3_600_000_000_000L, 900_000_000_000L),
                        Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)),
                JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), true, TimeBuckets.calendar(3, ChronoUnit.MONTHS,
                        ZoneId.of("America/New_York"), Duration.ofMinutes(90)), Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)));
        for (JobRequest request : requests) {
            assertThat(roundTrip(request)).isEqualTo(request);
        }
    }

    /** A request in the first layout, with a fixed width in place of the buckets, still reads. */
    @Test
    void readsTheFirstLayoutToo() {
        ByteBuffer v1 = ByteBuffer.allocate(64).put((byte) 1).put((byte) 2).putInt(3).put("sum".getBytes(StandardCharsets.UTF_8))
                .put((byte) 1).putLong(60_000_000_000L).putLong(Long.MIN_VALUE).putLong(Long.MAX_VALUE).put((byte) 0).putInt(0).flip();
        assertThat(JobRequest.decode(v1)).isEqualTo(JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), true, 60_000_000_000L,
                Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)));
    }

    @Test
    void bucketsThatAreNotBucketsAreRefused() {
        byte[] good = JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), false, TimeBuckets.calendar(1, ChronoUnit.DAYS,
                ZoneId.of("Europe/Berlin"), Duration.ZERO), Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)).encode();
        int buckets = 2 + 4 + 3 + 1; // version, kind, "sum", bySeries
        byte[] kind = good.clone();
        kind[buckets] = 5;
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(kind))).hasMessage("the job request is invalid: buckets kind=5 is not 0, 1 or 2");
        byte[] unit = good.clone();
        unit[buckets + 1 + 4] = 9;
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(unit))).hasMessage("the job request is invalid: calendar unit=9 is not within 0..3");
        byte[] amount = good.clone();
        amount[buckets + 1 + 3] = 0; // 0 days
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(amount)))
                .hasMessage("the job request is invalid: buckets: the bucket width 0 Days must be positive");
        byte[] zone = good.clone();
        zone[buckets + 1 + 4 + 1 + 4] = 'X'; // "Xurope/Berlin"
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(zone))).hasMessage("the job request is invalid: zone=Xurope/Berlin is not a time zone");
    }

    @Test
    void percentileQuantilesSurviveTheirLabels() {
        double[] quantiles = {0, 1, 0.5, 0.99, 0.999, 0.123456789, 1e-9, 0.3333333333333333};
        List<Aggregate> aggs = Arrays.stream(quantiles).mapToObj(Aggregate::percentile).toList();
        JobRequest request = JobRequest.query(new QuerySpec(aggs, false, 0, Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false));
        assertThat(roundTrip(request)).isEqualTo(request);
    }

    @Test
    void malformedBytesAreRefusedNamingTheField() {
        byte[] good = JobRequest.custom("a.B", Map.of("k", "v"), List.of()).encode();
        byte[] otherVersion = good.clone();
        otherVersion[0] = 9;
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(otherVersion)))
                .hasMessage("the job request is invalid: version=9 is not 1 or 2");
        byte[] otherKind = good.clone();
        otherKind[1] = 7;
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(otherKind)))
                .hasMessage("the job request is invalid: kind=7 is not a known kind of job");
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(Arrays.copyOf(good, good.length - 1))))
                .hasMessage("the job request is invalid: it ends early");
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(Arrays.copyOf(good, good.length + 2))))
                .hasMessage("the job request is invalid: it has 2 bytes after its end");
        ByteBuffer huge = ByteBuffer.allocate(6).put((byte) 1).put((byte) 1).putInt(Integer.MAX_VALUE).flip();
        assertThatThrownBy(() -> JobRequest.decode(huge)).hasMessageStartingWith("the job request is invalid: name length=2147483647");
        ByteBuffer notUtf8 = ByteBuffer.allocate(8).put((byte) 1).put((byte) 1).putInt(2).put((byte) 0xC3).put((byte) 0x28).flip();
        assertThatThrownBy(() -> JobRequest.decode(notUtf8)).hasMessage("the job request is invalid: name is not UTF-8");
        byte[] badParameters = good.clone();
        badParameters[2 + 4 + 3] = (byte) 0x80; // the high byte of the parameter count, after the class name
        assertThatThrownBy(() -> JobRequest.decode(ByteBuffer.wrap(badParameters)))
                .hasMessageStartingWith("the job request is invalid: parameters=");
    }

    @Test
    void onlyQueriesBySeriesOrOfSomeSeriesAndUsersJobsReadTheSeriesColumn() {
        assertThat(JobRequest.builtin("stats").readsSeries()).isFalse();
        assertThat(JobRequest.query(QuerySpec.of(Aggregate.STATS)).readsSeries()).isFalse();
        assertThat(JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), true, 0, Long.MIN_VALUE, Long.MAX_VALUE,
                List.of(), false)).readsSeries()).isTrue();
        assertThat(JobRequest.query(new QuerySpec(List.of(Aggregate.SUM), false, 0, Long.MIN_VALUE, Long.MAX_VALUE,
                List.of("a"), false)).readsSeries()).isTrue();
        assertThat(JobRequest.custom("com.example.Job", Map.of(), List.of()).readsSeries()).isTrue();
    }

    @Test
    void describesItselfInTheCommandLinesWords() {
        assertThat(JobRequest.builtin("SUM").describe()).isEqualTo("sum");
        assertThat(JobRequest.query(new QuerySpec(List.of(Aggregate.COUNT, Aggregate.P99), true, 60_000_000_000L,
                Long.MIN_VALUE, Long.MAX_VALUE, List.of("a", "b"), false)).describe())
                .isEqualTo("query count,p99 by series every 1m of 2 series");
        assertThat(JobRequest.query(new QuerySpec(List.of(Aggregate.COUNT), false, TimeBuckets.calendar(1, ChronoUnit.DAYS,
                ZoneId.of("Europe/Berlin"), Duration.ofHours(6)), Long.MIN_VALUE, Long.MAX_VALUE, List.of(), false)).describe())
                .isEqualTo("query count every 1d offset 6h in Europe/Berlin");
    }
}
