package dev.tsproc.cli;

import dev.tsproc.cli.command.ExitCodes;
import dev.tsproc.ingest.Distribution;
import dev.tsproc.ingest.Generator;
import dev.tsproc.ingest.GeneratorSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class QueryCommandTest {
    @TempDir
    Path dir;

    private record Outcome(int exit, String out, String err) {}

    private Outcome run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.commandLine(new PrintWriter(out), new PrintWriter(err)).execute(args);
        return new Outcome(exit, out.toString(), err.toString());
    }

    private Path store() throws Exception {
        Path path = dir.resolve("q.tsp");
        Generator.generate(new GeneratorSpec(200_000, 3, 0.2, Distribution.WALK, 1), path, 2);
        return path;
    }

    @Test
    void printsOneRowPerSeriesAndBucketAsCsv() throws Exception {
        Outcome o = run("run", store().toString(), "--agg", "count,missing,p50", "--by", "series", "--every", "1m",
                "--format", "csv", "--workers", "2");
        assertThat(o.exit()).as(o.err()).isZero();
        String[] lines = o.out().split("\n");
        assertThat(lines[0]).isEqualTo("series,bucket,count,missing,p50~"); // 16,667 values a group: sketched, and labelled so
        // 200,000 rows 1 ms apart from 22:13:20 span four minute-buckets, for each of 3 series
        assertThat(lines).hasSize(1 + 3 * 4);
        assertThat(lines[1]).startsWith("s0,2023-11-14T22:13:00Z,");
        assertThat(o.err()).contains("12 groups");
    }

    @Test
    void filtersByTimeAndSeriesAndPrintsJson() throws Exception {
        Outcome o = run("run", store().toString(), "--agg", "count", "--from", "2023-11-14T22:14:00Z",
                "--to", "1700000100", "--series", "s1,s2", "--format", "json");
        assertThat(o.exit()).as(o.err()).isZero();
        assertThat(o.out()).startsWith("[{\"count\":").contains("}]");
        assertThat(o.err()).contains("query over 60,000 rows in");
    }

    @Test
    void aQueryOnWorkerProcessesPrintsWhatThreadsPrintAndIsObserved() throws Exception {
        Path path = store();
        String[] query = {"run", path.toString(), "--agg", "stats,first,last,p50,p99", "--by", "series", "--every", "1m",
                "--series", "s0,s2", "--from", "2023-11-14T22:14:00Z", "--format", "csv", "--workers", "2",
                "--batch-rows", "7000"};
        Outcome threads = run(query);
        Path timeline = dir.resolve("query.json");
        Outcome processes = run(concat(query, "--executor", "processes", "--transfer", "copy", "--timeline", timeline.toString()));
        assertThat(processes.exit()).as(processes.err()).isZero();
        assertThat(processes.out()).isEqualTo(threads.out()).contains("s2,2023-11-14T22:16:00Z,");
        assertThat(processes.err()).contains("6 groups", "on 2 worker JVMs, copy transfer", "worker JVMs started in");
        assertThat(java.nio.file.Files.readString(timeline))
                .contains("\"job\":\"query count,missing,sum,mean,min,max,stddev,first,last,p50,p99 by series every 1m"
                        + " from 2023-11-14T22:14:00Z of 2 series\"", "\"worker\":\"worker-2\"");
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Issue 14.2: a series whose name has a comma is chosen by quoting it as in CSV, or with a repeated --series. */
    @Test
    void aSeriesWhoseNameHasACommaCanBeChosen() throws Exception {
        Path csv = java.nio.file.Files.writeString(dir.resolve("boilers.csv"), """
                series,ts,value
                "boiler, north",2023-11-14T22:13:20Z,1
                "boiler, south",2023-11-14T22:13:21Z,10
                pump,2023-11-14T22:13:22Z,100
                "say ""hi""\",2023-11-14T22:13:23Z,1000
                """);
        Path store = dir.resolve("boilers.tsp");
        assertThat(run("import", csv.toString(), "--out", store.toString()).exit()).isZero();
        Outcome quoted = run("run", store.toString(), "--agg", "sum", "--series", "\"boiler, north\",pump", "--format", "csv");
        assertThat(quoted.exit()).as(quoted.err()).isZero();
        assertThat(quoted.out()).isEqualTo("sum\n101.0\n");
        Outcome repeated = run("run", store.toString(), "--agg", "sum", "--series", "\"boiler, south\"",
                "--series", "\"say \"\"hi\"\"\"", "--format", "csv");
        assertThat(repeated.exit()).as(repeated.err()).isZero();
        assertThat(repeated.out()).isEqualTo("sum\n1010.0\n");
        Outcome unquoted = run("run", store.toString(), "--agg", "sum", "--series", "boiler, north");
        assertThat(unquoted.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(unquoted.err()).contains("no series 'boiler'");
        Outcome open = run("run", store.toString(), "--agg", "sum", "--series", "\"boiler, north");
        assertThat(open.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(open.err()).contains("--series: the quote at 1 in '\"boiler, north' is not closed");
    }

    /**
     * Issue 14.13: groups of at most 512 values answer exactly, as --exact-percentiles does, and
     * say nothing; a sketched percentile is labelled p99~ in every format.
     */
    @Test
    void smallGroupsAreExactAndSketchedPercentilesSayTheyAreApproximate() throws Exception {
        Path path = store();
        // 1,000 rows a second over 3 series: about 333 values a group
        String[] small = {"run", path.toString(), "--agg", "count,p50,p99", "--by", "series", "--every", "1s", "--format", "csv"};
        Outcome sorted = run(small);
        assertThat(sorted.exit()).as(sorted.err()).isZero();
        assertThat(sorted.out()).startsWith("series,bucket,count,p50,p99\n");
        String[] exact = java.util.Arrays.copyOf(small, small.length + 1);
        exact[small.length] = "--exact-percentiles";
        assertThat(run(exact).out()).isEqualTo(sorted.out());

        String[] whole = {"run", path.toString(), "--agg", "p50,p99", "--format", "csv"};
        assertThat(run(whole).out()).startsWith("p50~,p99~\n");
        assertThat(run("run", path.toString(), "--agg", "p99", "--format", "json").out()).startsWith("[{\"p99~\":");
        assertThat(run("run", path.toString(), "--agg", "mean,p99").out()).contains("mean  ").contains("  p99~\n");
        assertThat(run("run", path.toString(), "--agg", "p50,p99", "--format", "csv", "--exact-percentiles").out())
                .startsWith("p50,p99\n");
    }

    /**
     * Hourly rows from 2024-03-30 to 2024-04-02 UTC: calendar days in Berlin are 23 hours long on
     * the day summer time begins, and each bucket starts at local midnight, printed with its offset.
     */
    @Test
    void calendarBucketsInATimeZoneFollowItsLocalDays() throws Exception {
        StringBuilder csv = new StringBuilder("ts,value\n");
        Instant first = Instant.parse("2024-03-30T00:00:00Z");
        for (int h = 0; h < 72; h++) {
            csv.append(first.plusSeconds(3600L * h)).append(',').append(h).append('\n');
        }
        Path store = dir.resolve("hours.tsp");
        Outcome imported = run("import", java.nio.file.Files.writeString(dir.resolve("hours.csv"), csv).toString(), "--out",
                store.toString(), "--quiet");
        assertThat(imported.exit()).as(imported.err()).isZero();

        Outcome days = run("run", store.toString(), "--agg", "count,min", "--every", "1d", "--tz", "Europe/Berlin", "--format", "csv");
        assertThat(days.exit()).as(days.err()).isZero();
        // 00:00Z on the 30th is 01:00 in Berlin; the 31st has 23 hours; 00:00 on 2 April local is 22:00Z on the 1st
        assertThat(days.out().lines()).containsExactly("bucket,count,min",
                "2024-03-30T00:00:00+01:00,23,0.0", "2024-03-31T00:00:00+01:00,23,23.0", "2024-04-01T00:00:00+02:00,24,46.0",
                "2024-04-02T00:00:00+02:00,2,70.0");

        Outcome quarterPast = run("run", store.toString(), "--agg", "count", "--every", "6h", "--offset", "15m",
                "--from", "2024-03-30T06:00:00Z", "--to", "2024-03-30T18:00:00Z", "--format", "csv");
        assertThat(quarterPast.out().lines()).containsExactly("bucket,count", "2024-03-30T00:15:00Z,1", "2024-03-30T06:15:00Z,6",
                "2024-03-30T12:15:00Z,5");

        Outcome week = run("run", store.toString(), "--agg", "count", "--every", "1w", "--format", "csv");
        assertThat(week.out().lines()).containsExactly("bucket,count", "2024-03-25T00:00:00Z,48", "2024-04-01T00:00:00Z,24");
        Outcome month = run("run", store.toString(), "--agg", "count", "--every", "1mo", "--tz", "Europe/Berlin",
                "--from", "2024-03-31", "--format", "csv"); // --from in Berlin: 2024-03-30T23:00Z
        assertThat(month.out().lines()).containsExactly("bucket,count", "2024-03-01T00:00:00+01:00,23",
                "2024-04-01T00:00:00+02:00,26");
    }

    @Test
    void calendarOptionsThatMakeNoSenseAreUsageErrors() throws Exception {
        Path path = store();
        Outcome hourInZone = run("run", path.toString(), "--every", "1h", "--tz", "Europe/Berlin");
        assertThat(hourInZone.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(hourInZone.err()).contains("--every: '1h' is not a calendar width; with --tz, --every takes days, weeks");
        assertThat(run("run", path.toString(), "--tz", "Europe/Berlin").err()).contains("--tz applies to time buckets; add --every");
        assertThat(run("run", path.toString(), "--every", "1d", "--tz", "Mars/Olympus").err())
                .contains("--tz: 'Mars/Olympus' is not a time zone");
        assertThat(run("run", path.toString(), "--every", "1d", "--tz", "Europe/Berlin", "--offset", "25h").err())
                .contains("must be within a day");
    }

    @Test
    void badQueryOptionsAreUsageErrors() throws Exception {
        Path path = store();
        assertThat(run("run", path.toString(), "--agg", "median").err()).contains("unknown aggregate 'median' (the median is p50); choose");
        assertThat(run("run", path.toString(), "--agg", "avg").err()).contains("unknown aggregate 'avg' (the average is mean); choose");
        assertThat(run("run", path.toString(), "--agg", "median").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("run", path.toString(), "--every", "soon").err()).contains("--every: 'soon' is not a width");
        assertThat(run("run", path.toString(), "--by", "hour").err()).contains("--by takes 'series'");
        assertThat(run("run", path.toString(), "--from", "yesterday").exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(run("run", path.toString(), "--series", "nope").err()).contains("no series 'nope'");
        assertThat(run("run", path.toString(), "--from", "2024-01-01", "--to", "2023-01-01").err()).contains("the time range is empty");
        assertThat(run("run", path.toString(), "--job", "sum", "--agg", "sum").err()).contains("exclude each other");
    }
}
