"""The Parquet benchmarks of issue 15 (docs/BENCHMARKS.md), each tool in a fresh process, 2
threads, alternating, ROUNDS rounds (the files read once before, untimed, into the page cache); prints each run's wall and
CPU seconds (user + system of the process and its children) and the medians.

  run (default): `tsproc run PATH --agg stats` against the same aggregates in DuckDB and Polars
  --import:      `tsproc import PATH --out STORE` (a store on disk, then deleted) against DuckDB
                 `CREATE TABLE t AS SELECT * FROM read_parquet(...)` (in memory) and Polars
                 `read_parquet`

PATH is a Parquet file or a directory of them (python/make-walk-parquet.py writes both).
Usage: PYTHONPATH=.python/site python3 python/bench-run-parquet.py [--import] PATH [ROUNDS]"""
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

args = sys.argv[1:]
importing = args[:1] == ["--import"]
if importing:
    args = args[1:]
path = args[0]
rounds = int(args[1]) if len(args) > 1 else 3
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pattern = os.path.join(path, "*.parquet") if os.path.isdir(path) else path
scratch = tempfile.mkdtemp(prefix="bench-parquet-", dir=os.path.dirname(os.path.abspath(path)))
store = os.path.join(scratch, "walk.tsp")
if importing:
    duckdb = f"""
import duckdb
c = duckdb.connect(); c.execute("SET threads=2")
c.execute("CREATE TABLE t AS SELECT * FROM read_parquet('{pattern}')")
print(c.execute("SELECT count(*) FROM t").fetchall())
"""
    polars = f"""
import polars as pl
print(pl.read_parquet("{pattern}").shape)
"""
    tsproc = [os.path.join(root, "bin", "tsproc"), "import", path, "--out", store, "--threads", "2", "--quiet"]
else:
    duckdb = f"""
import duckdb
c = duckdb.connect(); c.execute("SET threads=2")
print(c.execute("SELECT count(value), count(*) - count(value), sum(value), avg(value), min(value), max(value),"
                " stddev_samp(value) FROM read_parquet('{pattern}')").fetchall())
"""
    polars = f"""
import polars as pl
v = pl.col("value")
print(pl.scan_parquet("{pattern}").select(v.count().alias("count"), v.null_count().alias("missing"), v.sum().alias("sum"),
                                         v.mean().alias("mean"), v.min().alias("min"), v.max().alias("max"), v.std().alias("std")).collect())
"""
    tsproc = [os.path.join(root, "bin", "tsproc"), "run", path, "--agg", "stats", "--workers", "2", "--quiet"]
tools = {"tsproc": tsproc, "duckdb": [sys.executable, "-c", duckdb], "polars": [sys.executable, "-c", polars]}
env = dict(os.environ, POLARS_MAX_THREADS="2")


def once(command):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if os.path.exists(store):
        os.remove(store)
    if done.returncode != 0:
        sys.exit(f"{command[0]} failed: {done.stderr}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), done


try:
    # Untimed: bin/tsproc builds its jar and start-up cache if they are stale; the files are read into the page cache.
    subprocess.run([os.path.join(root, "bin", "tsproc"), "--version"], capture_output=True, check=True)
    for name in ([os.path.join(path, f) for f in sorted(os.listdir(path))] if os.path.isdir(path) else [path]):
        with open(name, "rb") as f:
            while f.read(1 << 24):
                pass
    times = {name: [] for name in tools}
    for r in range(rounds):
        for name, command in tools.items():
            wall, cpu, done = once(command)
            times[name].append((wall, cpu))
            print(f"round {r + 1} {name}: wall {wall:.2f} s, CPU {cpu:.2f} s", flush=True)
            if r == 0:
                print("   ", (done.stdout.strip() + " | " + done.stderr.strip()).replace("\n", " "), flush=True)
    medians = {name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
               for name, runs in times.items()}
    for name, (wall, cpu) in medians.items():
        print(f"median {name}: wall {wall:.2f} s, CPU {cpu:.2f} s;"
              f" tsproc/{name}: wall {medians['tsproc'][0] / wall:.2f}, CPU {medians['tsproc'][1] / cpu:.2f}")
finally:
    shutil.rmtree(scratch, ignore_errors=True)
