"""Open a tsproc store (on disk or in /dev/shm) as NumPy arrays or a pyarrow table, without copying.

The file is memory-mapped read-only; the arrays are views of the mapping, so a Python worker
reads the same pages as tsproc's workers. Layout: docs/FORMAT.md (this checks magic, version
and header bounds, not the CRCs: `tsproc info` does that). Versions 1 and 2 differ only in
version 2's block checksum table, which this does not read.
"""
import mmap
import struct

import numpy as np

_COLUMNS = {1: ("ts", np.dtype("<i8")), 2: ("value", np.dtype("<f8")), 3: ("series", np.dtype("<i4"))}


def open_store(path):
    """Returns ({"ts": int64 ns, "value": float64 (NaN = missing)[, "series": int32]}, [series names])."""
    with open(path, "rb") as f:
        data = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    magic, version, header, rows, count = struct.unpack_from("<8sIIqI", data, 0)
    if magic != b"TSPSTORE" or version not in (1, 2) or header != 64 + 32 * count or header > len(data):
        raise ValueError(f"{path} is not a tsproc store of version 1 or 2")
    dict_offset, dict_length = struct.unpack_from("<qq", data, 32)
    columns = {}
    for i in range(count):
        column, _, offset, length = struct.unpack_from("<IIqq", data, 64 + 32 * i)
        name, dtype = _COLUMNS[column]
        if length != rows * dtype.itemsize or offset + length > len(data):
            raise ValueError(f"{path}: column {name} does not fit the file")
        columns[name] = np.frombuffer(data, dtype, rows, offset)
    names, at = [], dict_offset + 4
    for _ in range(struct.unpack_from("<I", data, dict_offset)[0]):
        (n,) = struct.unpack_from("<I", data, at)
        names.append(bytes(data[at + 4:at + 4 + n]).decode("utf-8"))
        at += 4 + n
    return columns, names


def to_arrow(columns, names):
    """open_store's result as a pyarrow table over the same memory: ts timestamp[ns, UTC], value (NaN kept), series as a dictionary."""
    import pyarrow as pa

    def view(name, arrow_type):
        return pa.Array.from_buffers(arrow_type, len(columns[name]), [None, pa.py_buffer(columns[name])])
    arrays = {"ts": view("ts", pa.timestamp("ns", "UTC")), "value": view("value", pa.float64())}
    if "series" in columns:
        arrays["series"] = pa.DictionaryArray.from_arrays(view("series", pa.int32()), pa.array(names, pa.string()))
    return pa.table(arrays)
