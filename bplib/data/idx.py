"""A strict reader for the IDX format of MNIST and Fashion-MNIST (plain or gzip-compressed).

The format (from the MNIST page): a 4-byte magic number, 0x00 0x00 <dtype code> <ndim>, then ndim big-endian
uint32 sizes, then the values in C order, big-endian. MNIST's labels are 0x00000801 (uint8, 1-D: m) and its
images 0x00000803 (uint8, 3-D: m x 28 x 28).

The reader checks every part of that and names the file and the problem in its error, so a truncated download
or a wrong file never turns into a silently short or scrambled array.
"""
import contextlib
import math
import os
import zlib

import numpy as np

from ..i18n import tr

# dtype code (third magic byte) -> big-endian NumPy dtype
IDX_DTYPES = {0x08: np.dtype(">u1"), 0x09: np.dtype(">i1"), 0x0B: np.dtype(">i2"), 0x0C: np.dtype(">i4"),
              0x0D: np.dtype(">f4"), 0x0E: np.dtype(">f8")}
GZIP_MAGIC = b"\x1f\x8b"
#: bytes read (and, for gzip, decompressed) per step: a reader that stops at a size limit reads at most this past it
CHUNK = 1 << 20


def _gzip_error(path, text):
    return ValueError(f"{path}: {text}")


def iter_bytes(path):
    """Yield the content of `path` in chunks of at most CHUNK bytes, decompressed when it is gzip.

    gzip is detected by content, not by name. Decompression is streamed (zlib with a bounded output per call),
    so a caller that stops early never holds more than one chunk it did not want: a small .gz that inflates to
    gigabytes cannot fill the memory. Several gzip members in a row and zero padding after the last one are read
    as `gzip.decompress` reads them.

    Raises:
        FileNotFoundError if there is no such file; ValueError naming the file if the gzip stream is truncated,
        corrupt (a bad deflate block or checksum) or followed by data that is not gzip.
    """
    path = os.fspath(path)
    with open(path, "rb") as f:
        if f.read(2) != GZIP_MAGIC:
            f.seek(0)
            while chunk := f.read(CHUNK):
                yield chunk
            return
        f.seek(0)
        pending = f.read(CHUNK)
        while pending:                                   # one gzip member per pass
            inflater = zlib.decompressobj(wbits=31)      # 31: gzip header and trailer (CRC-32, length) checked
            while not inflater.eof:
                if not pending:
                    pending = f.read(CHUNK)
                try:
                    if not pending:                      # the file ended: emit what is left, then it must be done
                        out = inflater.flush()
                        if not inflater.eof:
                            raise _gzip_error(path, tr("the gzip stream is truncated (the file ends inside it); "
                                                       "delete the file and get it again"))
                    else:
                        out = inflater.decompress(pending, CHUNK)
                        pending = inflater.unconsumed_tail
                except zlib.error as exc:
                    raise _gzip_error(path, tr("the gzip stream is corrupt ({error}); delete the file and get it "
                                               "again", error=exc)) from None
                if out:
                    yield out
            pending = inflater.unused_data + (b"" if inflater.unused_data else f.read(CHUNK))
            while pending and not pending.strip(b"\x00"):   # zero padding after a member, as gzip allows
                pending = f.read(CHUNK)
            pending = pending.lstrip(b"\x00")
            if pending and not pending.startswith(GZIP_MAGIC[:len(pending)]):
                raise _gzip_error(path, tr("the gzip stream is followed by data that is not gzip (corrupt); delete "
                                           "the file and get it again"))


def read_bytes(path, max_bytes=None, too_long=None):
    """Return the content of `path`, decompressed when it is gzip, reading at most about `max_bytes`.

    Args:
        max_bytes: None, or the largest acceptable content in bytes. A raw file is refused by its size before
            any read; a gzip stream is decompressed chunk by chunk and refused as soon as it passes the limit
            (at most CHUNK bytes beyond it are ever decompressed).
        too_long: what the limit is, for the error message (e.g. "the size shape (60000,) needs").
    Raises:
        FileNotFoundError if there is no such file; ValueError naming the file if the gzip stream is truncated
        or corrupt, or if the content is larger than max_bytes.
    """
    path = os.fspath(path)
    if max_bytes is not None and os.path.getsize(path) > max_bytes:
        with open(path, "rb") as f:
            gzipped = f.read(2) == GZIP_MAGIC
        if not gzipped:
            raise _too_long(path, max_bytes, too_long)
    parts, total = [], 0
    with contextlib.closing(iter_bytes(path)) as chunks:
        for chunk in chunks:
            total += len(chunk)
            if max_bytes is not None and total > max_bytes:
                raise _too_long(path, max_bytes, too_long)
            parts.append(chunk)
    return b"".join(parts)


def _too_long(path, max_bytes, what):
    if what:
        return ValueError(tr("{path}: its content is longer than {max_bytes} bytes, {what}; stopped reading there. "
                             "This is not the expected file (a wrong or damaged download, or a .gz that inflates far "
                             "beyond its data): delete the file and get it again",
                             path=path, max_bytes=max_bytes, what=what))
    return ValueError(tr("{path}: its content is longer than {max_bytes} bytes; stopped reading there. This is not "
                         "the expected file (a wrong or damaged download, or a .gz that inflates far beyond its "
                         "data): delete the file and get it again", path=path, max_bytes=max_bytes))


def idx_size(shape, itemsize=1):
    """The size in bytes of an IDX file holding an array of `shape`: header (4 + 4 per dimension) plus the data."""
    return 4 + 4 * len(shape) + math.prod(shape) * itemsize          # (Python ints: never overflow)


def _parse_header(data, name, expected_shape):
    """(shape, dtype, header length, total length) from the first bytes of an IDX file; checks magic and shape."""
    if len(data) == 0:
        raise ValueError(tr("{name}: the file is empty (an interrupted download?); delete the file and get it again",
                            name=name))
    if len(data) < 4:
        raise ValueError(tr("{name}: {n} bytes is too short for an IDX file (the magic number alone is 4)",
                            name=name, n=len(data)))
    zero, code, ndim = data[0:2], data[2], data[3]
    if zero != b"\x00\x00" or code not in IDX_DTYPES or ndim == 0:
        raise ValueError(tr("{name}: bad magic number 0x{magic}: expected 0x0000 then a dtype code (0x08 for uint8) "
                            "and the number of dimensions, e.g. 0x00000801 for labels or 0x00000803 for images. Is "
                            "this an IDX file (decompressed correctly)?", name=name, magic=bytes(data[:4]).hex()))
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(tr("{name}: truncated header: {ndim} dimensions need {header} bytes, the file has {n}",
                            name=name, ndim=ndim, header=header, n=len(data)))
    shape = tuple(int(d) for d in np.frombuffer(data, dtype=">u4", count=ndim, offset=4))
    if expected_shape is not None:
        ok = len(shape) == len(expected_shape) and all(e is None or e == s for s, e in zip(shape, expected_shape))
        if not ok:
            want = tuple(tr("any") if e is None else e for e in expected_shape)
            raise ValueError(tr("{name}: holds an array of shape {shape}, expected {want}", name=name, shape=shape,
                                want=want))
    dtype = IDX_DTYPES[code]
    return shape, dtype, header, header + math.prod(shape) * dtype.itemsize   # (an int64 product could overflow)


def parse_idx(data, name="<bytes>", expected_shape=None):
    """Parse IDX bytes into a NumPy array, validating magic number, dimensions and length.

    Args:
        data: the (decompressed) file content, bytes.
        name: how to call the data in error messages (usually the file path).
        expected_shape: optional tuple; None entries match any size, e.g. (None, 28, 28) for images.
    Returns:
        array of shape (d_1, ..., d_ndim) in native byte order (uint8 for MNIST files).
    Raises:
        ValueError naming the file and what is wrong: empty, bad magic, unknown dtype code, truncated or too long
        data, unexpected shape.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    shape, dtype, header, expected_len = _parse_header(data, name, expected_shape)
    if len(data) < expected_len:
        raise ValueError(tr("{name}: truncated: the header announces shape {shape} ({expected_len} bytes in all), but "
                            "the file has only {n} bytes; the download was probably cut short",
                            name=name, shape=shape, expected_len=expected_len, n=len(data)))
    if len(data) > expected_len:
        raise ValueError(tr("{name}: {extra} bytes more than shape {shape} needs ({expected_len}); this is not a "
                            "valid IDX file", name=name, extra=len(data) - expected_len, shape=shape,
                            expected_len=expected_len))
    arr = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return arr.astype(dtype.newbyteorder("="))  # a writable copy in native byte order


def read_idx(path, expected_shape=None):
    """Read an IDX file (raw or .gz) into a NumPy array; see `parse_idx` for the checks and errors.

    The header announces the size of the data, and nothing beyond it is read: the header is checked first (magic
    number, expected_shape), then the content is read up to the announced size, and a file with more is refused
    after at most CHUNK bytes past it (a gzip bomb never inflates whole).

    Args:
        path: str or Path of the file.
        expected_shape: optional tuple, None entries match any size.
    Returns:
        array of the shape in the file's header, e.g. (60000, 28, 28) uint8 for MNIST's training images.
    """
    name = os.fspath(path)
    buf, expected_len = bytearray(), None
    with contextlib.closing(iter_bytes(path)) as chunks:
        for chunk in chunks:
            buf += chunk
            if expected_len is None and len(buf) >= 4 and len(buf) >= 4 + 4 * buf[3]:
                shape, _, _, expected_len = _parse_header(bytes(buf[:4 + 4 * buf[3]]), name, expected_shape)
            if expected_len is not None and len(buf) > expected_len:
                raise ValueError(tr("{name}: at least {extra} bytes more than shape {shape} needs ({expected_len}); "
                                    "stopped reading there. This is not a valid IDX file: delete the file and get it "
                                    "again", name=name, extra=len(buf) - expected_len, shape=shape,
                                    expected_len=expected_len))
    return parse_idx(bytes(buf), name=name, expected_shape=expected_shape)
