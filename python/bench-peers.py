"""The peers benchmark of issue 12 (docs/BENCHMARKS.md): queries (a)-(e) run one-shot, each tool a
fresh process per query as at a shell, on the same rows: tsproc (`bin/tsproc run` on its store),
DuckDB (its own database file, the Python package) and Polars (Parquet), 2 threads each; the
read floor (`cat` of the store file, which holds every column) and the fixed cost (query (a) on a
store of one row) in the same run. Runs alternate tool by tool and query by query; the table gives
medians of wall and CPU seconds (the process and its children, from wait4) and ratios.

Run through bin/bench-peers, which builds tsproc and installs the Python packages."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb
import polars
import pyarrow.feather as feather
import pyarrow.parquet as parquet

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TSPROC = os.path.join(ROOT, "bin", "tsproc")
STATS_SQL = ("count(value), count(*) - count(value), sum(value), avg(value), min(value), max(value), "
             "stddev_samp(value)")
STATS_POLARS = "[" + ", ".join(f"pl.col('value').{f}().alias('{f}')"
                                for f in ("count", "null_count", "sum", "mean", "min", "max", "std")) + "]"
MINUTE, HOUR = 60_000_000_000, 3_600_000_000_000
# query: (tsproc arguments, DuckDB SQL, Polars expression on the lazy frame `f`)
QUERIES = {
    "a": (["--agg", "stats"], f"SELECT {STATS_SQL} FROM t",
          f"f.select({STATS_POLARS})"),
    "b": (["--agg", "stats", "--by", "series"], f"SELECT series, {STATS_SQL} FROM t GROUP BY series",
          f"f.group_by('series').agg({STATS_POLARS})"),
    "c": (["--agg", "stats", "--every", "1m"],
          f"SELECT epoch_ns(ts) // {MINUTE} AS b, {STATS_SQL} FROM t GROUP BY b",
          f"f.group_by(pl.col('ts').dt.epoch('ns') // {MINUTE}).agg({STATS_POLARS})"),
    "d": (["--agg", "stats", "--by", "series", "--every", "1h"],
          f"SELECT series, epoch_ns(ts) // {HOUR} AS b, {STATS_SQL} FROM t GROUP BY series, b",
          f"f.group_by('series', pl.col('ts').dt.epoch('ns') // {HOUR}).agg({STATS_POLARS})"),
    "e": (["--agg", "p99", "--by", "series"], "SELECT series, quantile_disc(value, 0.99) FROM t GROUP BY series",
          "f.group_by('series').agg(pl.col('value').quantile(0.99, interpolation='lower'))"),
}


def timed(command, env=None):
    """Wall and CPU seconds of one process run to the end, its output discarded; fails loudly."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"bench-peers: {' '.join(command)} failed: {stderr.decode(errors='replace').strip()}")
    return wall, usage.ru_utime + usage.ru_stime


def duckdb_command(database, sql):
    script = (f"import duckdb; c = duckdb.connect({database!r}, read_only=True); c.execute('SET threads = 2'); "
              f"c.execute({sql!r}).fetchall()")
    return [sys.executable, "-c", script]


def polars_command(parquet_file, expression):
    script = f"import polars as pl; f = pl.scan_parquet({parquet_file!r}); {expression}.collect()"
    return [sys.executable, "-c", script]


def make_data(work, name, rows, distribution):
    """A tsproc store, and the same rows as Parquet and as a DuckDB database; returns their paths."""
    store = os.path.join(work, f"{name}.tsp")
    subprocess.run([TSPROC, "generate", "--rows", str(rows), "--series", "1000", "--distribution", distribution,
                    "--missing", "0.05", "--seed", "7", "--out", store, "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    arrow = os.path.join(work, f"{name}.arrow")
    subprocess.run([TSPROC, "export", store, "--format", "arrow", "--out", arrow], check=True)
    table = feather.read_table(arrow, memory_map=True)
    table = table.set_column(2, "series", table.column("series").cast("string"))
    parquet_file = os.path.join(work, f"{name}.parquet")
    parquet.write_table(table, parquet_file)
    os.remove(arrow)
    database = os.path.join(work, f"{name}.duckdb")
    with duckdb.connect(database) as connection:
        connection.execute("SET threads = 2")
        connection.execute(f"CREATE TABLE t AS SELECT * FROM read_parquet('{parquet_file}')")
    return store, parquet_file, database


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--distribution", default="walk", choices=["walk", "talk", "gauss"])
    parser.add_argument("--dir", default=None, help="where the data goes (default: the system's temp folder)")
    args = parser.parse_args()
    env = dict(os.environ, POLARS_MAX_THREADS="2")
    work = tempfile.mkdtemp(prefix="tsproc-bench-peers-", dir=args.dir)
    try:
        print(f"generating {args.rows:,} rows of {args.distribution} data in {work}...", file=sys.stderr)
        store, parquet_file, database = make_data(work, "data", args.rows, args.distribution)
        one = make_data(work, "one", 1, args.distribution)
        for path in (store, one[0]):  # the first run verifies a store; keep that out of the timings
            subprocess.run([TSPROC, "run", path, "--workers", "2"], check=True, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
        tools = {
            "tsproc": lambda s, p, d, q: [TSPROC, "run", s, "--workers", "2", *QUERIES[q][0]],
            "DuckDB": lambda s, p, d, q: duckdb_command(d, QUERIES[q][1]),
            "Polars": lambda s, p, d, q: polars_command(p, QUERIES[q][2]),
        }
        cases = [("floor", None)] + [(q, (store, parquet_file, database)) for q in QUERIES] + [("1 row (a)", one)]
        times = {}
        for run in range(args.runs):
            print(f"run {run + 1} of {args.runs}...", file=sys.stderr)
            for case, data in cases:
                if data is None:
                    times.setdefault(("floor", "cat"), []).append(timed(["cat", store], env))
                    continue
                query = "a" if case == "1 row (a)" else case
                for tool, command in tools.items():
                    times.setdefault((case, tool), []).append(timed(command(*data, query), env))
        print_table(cases, tools, times, args)
    finally:
        shutil.rmtree(work)


def print_table(cases, tools, times, args):
    median = {k: (statistics.median(w for w, _ in v), statistics.median(c for _, c in v)) for k, v in times.items()}
    floor = median[("floor", "cat")]
    print(f"{args.rows:,} rows of {args.distribution} data; medians of {args.runs}; wall s (CPU s); "
          f"read floor (cat of the store) {floor[0]:.2f} s ({floor[1]:.2f})")
    print("| query | " + " | ".join(tools) + " | DuckDB / tsproc | Polars / tsproc | tsproc / floor |")
    print("|---|" + "---|" * (len(tools) + 3))
    for case, data in cases:
        if data is None:
            continue
        cells = [f"{median[(case, t)][0]:.2f} ({median[(case, t)][1]:.2f})" for t in tools]
        ts = median[(case, "tsproc")]
        ratios = [f"{median[(case, t)][0] / ts[0]:.2f} ({median[(case, t)][1] / ts[1]:.2f})"
                  for t in ("DuckDB", "Polars")]
        print(f"| {case} | " + " | ".join(cells) + " | " + " | ".join(ratios) + f" | {ts[0] / floor[0]:.1f} |")


if __name__ == "__main__":
    main()
