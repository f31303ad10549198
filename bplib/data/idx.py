"""A strict reader for the IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed).

The format (from the MNIST page): a 4-byte magic number, 0x00 0x00 <dtype code> <ndim>, then ndim big-endian
uint32 sizes, then the values in C order, big-endian. MNIST's labels are 0x00000801 (uint8, 1-D: m) and its
images 0x00000803 (uint8, 3-D: m x 28 x 28).

The reader checks every part of that and names the file and the problem in its error, so a truncated download
or a wrong file never turns into a silently short or scrambled array.
"""
import gzip
import os
import zlib

import numpy as np

# dtype code (third magic byte) -> big-endian NumPy dtype
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
GZIP_MAGIC = b"\x1f\x8b"


def read_bytes(path):
    """Return the bytes of `path`, decompressed when it is gzip (detected by content, not by name).

    Raises:
        FileNotFoundError if there is no such file; ValueError if the gzip stream is truncated or corrupt.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        data = f.read()
    if data[:2] != GZIP_MAGIC:
        return data
    try:
        return gzip.decompress(data)
    except (EOFError, OSError, zlib.error) as exc:
        raise ValueError(f"{path}: the gzip stream is truncated or corrupt ({exc}); "
                         f"delete the file and get it again") from None


def parse_idx(data, name="<bytes>", expected_shape=None):
    """Parse IDX bytes into a NumPy array, validating magic number, dimensions and length.

    Args:
        data: the (decompressed) file content, bytes.
        name: how to call the data in error messages (usually the file path).
        expected_shape: optional tuple; None entries match any size, e.g. (None, 28, 28) for images.
    Returns:
        array of shape (d_1, ..., d_ndim) in native byte order (uint8 for MNIST files).
    Raises:
        ValueError naming the file and what is wrong: bad magic, unknown dtype code, truncated or too long data,
        unexpected shape.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) < 4:
        raise ValueError(f"{name}: {len(data)} bytes is too short for an IDX file (the magic number alone is 4)")
    zero, code, ndim = data[0:2], data[2], data[3]
    if zero != b"\x00\x00" or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(f"{name}: bad magic number 0x{data[:4].hex()}: expected 0x0000 then a dtype code "
                         f"(0x08 for uint8) and the number of dimensions, e.g. 0x00000801 for labels or "
                         f"0x00000803 for images. Is this an IDX file (decompressed correctly)?")
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"{name}: truncated header: {ndim} dimensions need {header} bytes, the file has {len(data)}")
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    dtype = IDX_DTYPES[code]
    expected_len = header + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    if len(data) < expected_len:
        raise ValueError(f"{name}: truncated: the header announces shape {shape} ({expected_len} bytes in all), "
                         f"but the file has only {len(data)} bytes; the download was probably cut short")
    if len(data) > expected_len:
        raise ValueError(f"{name}: {len(data) - expected_len} bytes more than shape {shape} needs "
                         f"({expected_len}); this is not a valid IDX file")
    if expected_shape is not None:
        ok = len(shape) == len(expected_shape) and all(e is None or e == s for s, e in zip(shape, expected_shape))
        if not ok:
            want = tuple("any" if e is None else e for e in expected_shape)
            raise ValueError(f"{name}: holds an array of shape {shape}, expected {want}")
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # a writable copy in native byte order


def read_idx(path, expected_shape=None):
    """Read an IDX file (raw or .gz) into a NumPy array; see `parse_idx` for the checks and errors.

    Args:
        path: str or Path of the file.
        expected_shape: optional tuple, None entries match any size.
    Returns:
        array of the shape in the file's header, e.g. (60000, 28, 28) uint8 for MNIST's training images.
    """
    return parse_idx(read_bytes(path), name=os.fspath(path), expected_shape=expected_shape)
