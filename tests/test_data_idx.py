"""The IDX reader on files built here byte by byte (struct, not bplib): good, bad magic, truncated, wrong shape."""
import gzip
import struct
import tracemalloc
import zlib

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
    with pytest.raises(ValueError, match=r"cut.gz: the gzip stream is truncated \(the file ends inside it\); "
                                         r"delete the file and get it again"):
        idx.read_idx(tmp_path / "cut.gz")


def test_extra_bytes_and_unexpected_shape_are_rejected(tmp_path, images):
    data = idx_bytes(images.ravel().tolist(), images.shape)
    (tmp_path / "long").write_bytes(data + b"\x00")
    with pytest.raises(ValueError, match=r"long: at least 1 bytes more than shape \(3, 4, 5\) needs \(76\); stopped "
                                         r"reading there"):
        idx.read_idx(tmp_path / "long")
    with pytest.raises(ValueError, match=r"<bytes>: 1 bytes more than shape \(3, 4, 5\) needs \(76\)"):
        idx.parse_idx(data + b"\x00")
    (tmp_path / "ok").write_bytes(data)
    with pytest.raises(ValueError, match=r"shape \(3, 4, 5\), expected \('any', 28, 28\)"):
        idx.read_idx(tmp_path / "ok", expected_shape=(None, 28, 28))
    with pytest.raises(ValueError, match=r"expected \(3,\)"):
        idx.read_idx(tmp_path / "ok", expected_shape=(3,))


def test_parse_idx_type_check():
    with pytest.raises(TypeError, match="data must be bytes"):
        idx.parse_idx("not bytes")


# ---------------------------------------------------------------------------------------------- damaged and hostile files
def gzip_bomb(path, head, zeros_mb):
    """Write `head` followed by `zeros_mb` MB of zero bytes as one gzip member, streamed (the test itself stays small)."""
    with gzip.open(path, "wb", compresslevel=9) as f:
        f.write(head)
        block = bytes(1 << 20)
        for _ in range(zeros_mb):
            f.write(block)
    return path


def test_a_gzip_bomb_is_refused_just_past_the_size_its_header_announces(tmp_path):
    labels = idx_bytes([3] * 1000, (1000,))                         # 1,008 bytes of real IDX content
    bomb = gzip_bomb(tmp_path / "train-labels-idx1-ubyte.gz", labels, zeros_mb=200)
    assert bomb.stat().st_size < 1_000_000                          # 200 MB of zeros compress ~1000:1
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as err:
            idx.read_idx(bomb)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    msg = str(err.value)
    assert msg.startswith(f"{bomb}: at least ") and "more than shape (1000,) needs (1008); stopped reading there" in msg
    assert "delete the file and get it again" in msg
    assert peak < 5_000_000, f"peak {peak / 1e6:.0f} MB"             # not the 200 MB a whole inflate holds


def test_the_reader_decompresses_only_one_chunk_past_the_announced_size(tmp_path, monkeypatch):
    bomb = gzip_bomb(tmp_path / "labels.gz", idx_bytes([3] * 1000, (1000,)), zeros_mb=20)
    read = []
    original = idx.iter_bytes

    def counting(path):
        for chunk in original(path):
            read.append(len(chunk))
            yield chunk

    monkeypatch.setattr(idx, "iter_bytes", counting)
    with pytest.raises(ValueError, match="stopped reading there"):
        idx.read_idx(bomb)
    assert 1008 < sum(read) <= 1008 + idx.CHUNK


def test_read_bytes_caps_a_bomb_at_the_given_size(tmp_path):
    bomb = gzip_bomb(tmp_path / "t10k-images-idx3-ubyte.gz", idx_bytes([0] * 10, (10,)), zeros_mb=100)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"t10k-images-idx3-ubyte.gz: its content is longer than 7856 bytes, "
                                             r"the size shape \(10, 28, 28\) needs; stopped reading there"):
            idx.read_bytes(bomb, max_bytes=idx.idx_size((10, 28, 28)), too_long="the size shape (10, 28, 28) needs")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"peak {peak / 1e6:.0f} MB"
    raw = tmp_path / "raw"
    raw.write_bytes(bytes(10_000))
    with pytest.raises(ValueError, match=r"raw: its content is longer than 100 bytes"):
        idx.read_bytes(raw, max_bytes=100)                         # a raw file is refused by its size, unread


def test_a_header_that_announces_the_wrong_shape_is_refused_before_the_data_is_read(tmp_path):
    huge = b"\x00\x00\x08\x03" + struct.pack(">3I", 4_000_000, 28, 28)   # 3 GB announced
    bomb = gzip_bomb(tmp_path / "images.gz", huge, zeros_mb=50)
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"images.gz: holds an array of shape \(4000000, 28, 28\), expected "
                                             r"\(10000, 28, 28\)"):
            idx.read_idx(bomb, expected_shape=(10000, 28, 28))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 5_000_000, f"peak {peak / 1e6:.0f} MB"


def damaged_files(images):
    """name -> bytes of a damaged file, and the words its error must contain (after the file's name)."""
    data = idx_bytes(images.ravel().tolist(), images.shape)
    gz = gzip.compress(data)
    flipped = bytearray(gz)
    flipped[12] ^= 0xFF                                             # inside the deflate data
    bad_crc = bytearray(gz)
    bad_crc[-6] ^= 0xFF                                             # the CRC-32 in the gzip trailer
    return {
        "empty": (b"", r"the file is empty \(an interrupted download\?\); delete the file and get it again"),
        "empty.gz": (gzip.compress(b""), r"the file is empty"),
        "truncated.gz": (gz[:-9], r"the gzip stream is truncated \(the file ends inside it\)"),
        "header-only.gz": (gz[:5], r"the gzip stream is truncated"),
        "corrupt.gz": (bytes(flipped), r"the gzip stream is corrupt \(Error -3 while decompressing data"),
        "bad-crc.gz": (bytes(bad_crc), r"the gzip stream is corrupt \(.*incorrect data check"),
        "trailing-junk.gz": (gz + b"junk", r"the gzip stream is followed by data that is not gzip"),
        "wrong-magic": (b"\x00\x00\x07\x03" + data[4:], r"bad magic number 0x00000703"),
        "absurd-shape": (b"\x00\x00\x08\x07" + data[4:], r"truncated: the header announces shape \(3, 4, 5, "),
        "wrong-magic.gz": (gzip.compress(b"<html>404</html>"), r"bad magic number 0x3c68746d"),
        "truncated": (data[:-5], r"truncated: the header announces shape \(3, 4, 5\)"),
    }


@pytest.mark.parametrize("name", list(damaged_files(np.zeros((3, 4, 5), np.uint8))))
def test_every_damaged_file_gets_one_clear_error_that_names_it(tmp_path, images, name):
    content, words = damaged_files(images)[name]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ValueError, match=rf"^{path}: {words}") as err:
        idx.read_idx(path)


def test_several_gzip_members_and_zero_padding_read_as_gzip_reads_them(tmp_path, images):
    data = idx_bytes(images.ravel().tolist(), images.shape)
    path = tmp_path / "members.gz"
    path.write_bytes(gzip.compress(data[:30]) + gzip.compress(data[30:]) + bytes(1000))
    assert gzip.decompress(path.read_bytes()) == data
    np.testing.assert_array_equal(idx.read_idx(path), images)
    assert idx.read_bytes(path) == data
    small = zlib.compress(data)                                    # zlib, not gzip: read as raw bytes, then refused
    (tmp_path / "zlib").write_bytes(small)
    with pytest.raises(ValueError, match="bad magic number"):
        idx.read_idx(tmp_path / "zlib")
