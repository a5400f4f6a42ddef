"""The Parquet export benchmark of issue 15 (docs/BENCHMARKS.md): `tsproc export STORE --format
parquet` against DuckDB's `COPY walk TO 'x.parquet'` (from its database file) and Polars'
`write_parquet` (of the same rows memory-mapped from an Arrow file), each in a fresh process,
2 threads, for each codec, alternating, ROUNDS rounds after one untimed run of each; prints
each run's wall and CPU seconds (user + system of the process and its children), the file's
size, and the medians. The DuckDB database and the Arrow file are made from the store first,
untimed, if missing.
Usage: PYTHONPATH=.python/site python3 python/bench-export-parquet.py walk.tsp [ROUNDS]"""
import os
import resource
import statistics
import subprocess
import sys
import time

store = os.path.abspath(sys.argv[1])
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 3
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
work = os.path.dirname(store)
tsproc = os.path.join(root, "bin", "tsproc")
arrow = os.path.join(work, "walk.arrow")
database = os.path.join(work, "walk.duckdb")
out = os.path.join(work, "out.parquet")
env = dict(os.environ, POLARS_MAX_THREADS="2")

if not os.path.exists(arrow):
    subprocess.run([tsproc, "export", store, "--format", "arrow", "--out", arrow], check=True, capture_output=True)
if not os.path.exists(database):
    import duckdb, pyarrow.ipc as ipc
    walk_arrow = ipc.open_file(arrow).read_all()
    c = duckdb.connect(database)
    c.execute("CREATE TABLE walk AS SELECT ts, value, series::VARCHAR AS series FROM walk_arrow")
    c.close()


def tools(codec):
    return {
        "tsproc": [tsproc, "export", store, "--format", "parquet", "--codec", codec, "--threads", "2", "--out", out],
        "duckdb": [sys.executable, "-c", f"""
import duckdb
c = duckdb.connect("{database}", read_only=True); c.execute("SET threads=2")
c.execute("COPY walk TO '{out}' (FORMAT parquet, COMPRESSION {codec})")
"""],
        "polars": [sys.executable, "-c", f"""
import polars as pl
pl.read_ipc("{arrow}", memory_map=True).write_parquet("{out}", compression="{codec}")
"""],
    }


def run(command):
    if os.path.exists(out):
        os.remove(out)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"{command[:3]} failed: {done.stderr}")
    size = os.path.getsize(out)
    os.remove(out)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), size


codecs = ["snappy", "zstd"]
for codec in codecs:
    for command in tools(codec).values():  # once untimed: caches warm, bin/tsproc's jar and start-up cache built
        run(command)
times = {(codec, name): [] for codec in codecs for name in tools(codec)}
for r in range(rounds):
    for codec in codecs:
        for name, command in tools(codec).items():
            wall, cpu, size = run(command)
            times[(codec, name)].append((wall, cpu))
            print(f"round {r + 1} {codec} {name}: wall {wall:.2f} s, CPU {cpu:.2f} s, {size / 1e6:.0f} MB", flush=True)
for (codec, name), runs in times.items():
    print(f"median {codec} {name}: wall {statistics.median(w for w, _ in runs):.2f} s,"
          f" CPU {statistics.median(c for _, c in runs):.2f} s")
