"""The one-shot query benchmark of issue 15 (docs/BENCHMARKS.md): `tsproc run FILE --agg stats`
against the same aggregates in DuckDB and Polars over the same Parquet file, each tool in a
fresh process, 2 threads, alternating, ROUNDS rounds after one untimed run of each; prints each run's wall and CPU seconds
(user + system of the process and its children) and the medians.
Usage: PYTHONPATH=.python/site python3 python/bench-run-parquet.py walk.parquet [ROUNDS]"""
import os
import resource
import statistics
import subprocess
import sys
import time

path = sys.argv[1]
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
duckdb = f"""
import duckdb
c = duckdb.connect(); c.execute("SET threads=2")
print(c.execute("SELECT count(value), count(*) - count(value), sum(value), avg(value), min(value), max(value),"
                " stddev_samp(value) FROM read_parquet('{path}')").fetchall())
"""
polars = f"""
import os; os.environ["POLARS_MAX_THREADS"] = "2"
import polars as pl
v = pl.col("value")
print(pl.scan_parquet("{path}").select(v.count().alias("count"), v.null_count().alias("missing"), v.sum().alias("sum"),
                                      v.mean().alias("mean"), v.min().alias("min"), v.max().alias("max"), v.std().alias("std")).collect())
"""
tools = {
    "tsproc": [os.path.join(root, "bin", "tsproc"), "run", path, "--agg", "stats", "--workers", "2", "--quiet"],
    "duckdb": [sys.executable, "-c", duckdb],
    "polars": [sys.executable, "-c", polars],
}
for command in tools.values():  # once untimed: bin/tsproc builds its jar and start-up cache when they are stale
    subprocess.run(command, capture_output=True, env=dict(os.environ, POLARS_MAX_THREADS="2"), check=True)
times = {name: [] for name in tools}
for r in range(rounds):
    for name, command in tools.items():
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, POLARS_MAX_THREADS="2"))
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if done.returncode != 0:
            sys.exit(f"{name} failed: {done.stderr}")
        times[name].append((wall, cpu))
        print(f"round {r + 1} {name}: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
        if r == 0:
            print("   ", (done.stdout.strip() + " | " + done.stderr.strip()).replace("\n", " "), flush=True)
for name, runs in times.items():
    print(f"median {name}: wall {statistics.median(w for w, _ in runs):.2f} s,"
          f" CPU {statistics.median(c for _, c in runs):.2f} s")
