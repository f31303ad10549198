"""The IDX reader on files built here byte by byte (struct, not bplib): good, bad magic, truncated, wrong shape."""
import gzip
import struct

import numpy as np
import pytest

from bplib.data import idx


def idx_bytes(values, shape, code=0x08, fmt="B"):
    """IDX bytes written from the format's description: 0x0000, dtype code, ndim, big-endian sizes, values."""
    header = b"\x00\x00" + bytes([code, len(shape)]) + struct.pack(f">{len(shape)}I", *shape)
    return header + struct.pack(f">{len(values)}{fmt}", *values)


@pytest.fixture
def images():
    rng = np.random.default_rng(0)
    return rng.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)


def test_reads_uint8_images_raw_and_gzipped(tmp_path, images):
    data = idx_bytes(images.ravel().tolist(), images.shape)
    raw, gz = tmp_path / "imgs-idx3-ubyte", tmp_path / "imgs-idx3-ubyte.gz"
    raw.write_bytes(data)
    gz.write_bytes(gzip.compress(data))
    for path in (raw, gz, str(raw)):
        arr = idx.read_idx(path)
        assert arr.dtype == np.uint8 and arr.shape == (3, 4, 5)
        np.testing.assert_array_equal(arr, images)
    assert arr.flags.writeable


def test_reads_labels_and_big_endian_int32(tmp_path):
    (tmp_path / "labels").write_bytes(idx_bytes([7, 2, 1, 0], (4,)))
    np.testing.assert_array_equal(idx.read_idx(tmp_path / "labels", expected_shape=(None,)), [7, 2, 1, 0])
    (tmp_path / "ints").write_bytes(idx_bytes([258, -1, 65536], (3,), code=0x0C, fmt="i"))
    arr = idx.read_idx(tmp_path / "ints")
    assert arr.dtype == np.int32 and arr.dtype.isnative
    np.testing.assert_array_equal(arr, [258, -1, 65536])  # 258 = bytes 00 00 01 02: big-endian read correctly


@pytest.mark.parametrize("magic", [b"\x01\x00\x08\x03", b"\x00\x00\x07\x03", b"\x00\x00\x08\x00",
                                   b"\x03\x08\x00\x00", b"PK\x03\x04"])
def test_bad_magic_is_rejected(tmp_path, images, magic):
    data = magic + idx_bytes(images.ravel().tolist(), images.shape)[4:]
    (tmp_path / "bad").write_bytes(data)
    with pytest.raises(ValueError, match=r"bad magic number 0x[0-9a-f]{8}.*0x00000803"):
        idx.read_idx(tmp_path / "bad")


def test_truncated_data_is_rejected(tmp_path, images):
    data = idx_bytes(images.ravel().tolist(), images.shape)
    (tmp_path / "short").write_bytes(data[:-1])
    with pytest.raises(ValueError, match=r"short: truncated: the header announces shape \(3, 4, 5\) \(76 bytes"):
        idx.read_idx(tmp_path / "short")
    (tmp_path / "header").write_bytes(data[:10])  # 3 dimensions need a 16-byte header
    with pytest.raises(ValueError, match="truncated header"):
        idx.read_idx(tmp_path / "header")
    (tmp_path / "tiny").write_bytes(data[:3])
    with pytest.raises(ValueError, match="too short"):
        idx.read_idx(tmp_path / "tiny")


def test_truncated_gzip_is_rejected(tmp_path, images):
    gz = gzip.compress(idx_bytes(images.ravel().tolist(), images.shape))
    (tmp_path / "cut.gz").write_bytes(gz[: len(gz) // 2])
    with pytest.raises(ValueError, match="gzip stream is truncated or corrupt"):
        idx.read_idx(tmp_path / "cut.gz")


def test_extra_bytes_and_unexpected_shape_are_rejected(tmp_path, images):
    data = idx_bytes(images.ravel().tolist(), images.shape)
    (tmp_path / "long").write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match="1 bytes more than shape"):
        idx.read_idx(tmp_path / "long")
    (tmp_path / "ok").write_bytes(data)
    with pytest.raises(ValueError, match=r"shape \(3, 4, 5\), expected \('any', 28, 28\)"):
        idx.read_idx(tmp_path / "ok", expected_shape=(None, 28, 28))
    with pytest.raises(ValueError, match=r"expected \(3,\)"):
        idx.read_idx(tmp_path / "ok", expected_shape=(3,))


def test_parse_idx_type_check():
    with pytest.raises(TypeError, match="data must be bytes"):
        idx.parse_idx("not bytes")
