"""Writes walk.parquet for the Parquet import benchmark (docs/BENCHMARKS.md): N rows (argv[1]) of
ts timestamp[ns, UTC] 1 ms apart, a random-walk value, and a series dictionary of 1,000 names,
snappy-compressed (argv[2] picks another codec), in pyarrow's default row groups."""
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

n = int(sys.argv[1])
rng = np.random.default_rng(7)
ts = 1_700_000_000_000_000_000 + np.arange(n, dtype=np.int64) * 1_000_000
names = pa.array([f"s{i:03d}" for i in range(1000)])
series = pa.DictionaryArray.from_arrays(pa.array(rng.integers(0, 1000, n).astype(np.int32)), names)
values = np.cumsum(rng.normal(0, 0.01, n))
table = pa.table({"ts": pa.array(ts, pa.timestamp("ns", "UTC")), "value": values, "series": series})
pq.write_table(table, "walk.parquet", compression=sys.argv[2] if len(sys.argv) > 2 else "snappy")
