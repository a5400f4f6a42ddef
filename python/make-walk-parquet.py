"""Writes walk data for the Parquet benchmarks (docs/BENCHMARKS.md): N rows (argv[1]) of ts
timestamp[ns, UTC] 1 ms apart, a random-walk value, and a series dictionary of 1,000 names,
snappy-compressed (argv[2] picks another codec: zstd, none), in pyarrow's default row groups, as
walk.parquet; or, with argv[3] = K > 1, as K files of consecutive times in the directory walk-K/
(part-00.parquet, ...), as a data set of one file per day is laid out. argv[4] names the file or
directory instead."""
import os
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n = int(sys.argv[1])
codec = sys.argv[2] if len(sys.argv) > 2 else "snappy"
files = int(sys.argv[3]) if len(sys.argv) > 3 else 1
rng = np.random.default_rng(7)
ts = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
names = pa.array([f"s{i:03d}" for i in range(1000)])
series = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 1000, n).astype(np.int32)), names)
values = np.cumsum(rng.normal(0, 0.01, n))
table = pa.table({"ts": pa.array(ts, pa.timestamp("ns", "UTC")), "value": values, "series": series})
if files == 1:
    pq.write_table(table, sys.argv[4] if len(sys.argv) > 4 else "walk.parquet", compression=codec)
else:
    out = sys.argv[4] if len(sys.argv) > 4 else f"walk-{files}"
    os.mkdir(out)
    for k in range(files):
        start, end = n * k // files, n * (k + 1) // files
        pq.write_table(table.slice(start, end - start), os.path.join(out, f"part-{k:02d}.parquet"), compression=codec)
