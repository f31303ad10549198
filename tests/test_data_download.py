"""The downloader and the full-set lookup against a real HTTP server on 127.0.0.1 (never the internet).

The server serves generated IDX .gz files, counts every request, answers 404 for unknown paths, and for paths
marked "cut" announces the full Content-Length, sends half the bytes and closes the connection.
"""
import gzip
import hashlib
import http.server
import struct
import threading

import numpy as np
import pytest

from bplib.data import download, idx, mnist as data


class _Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        srv = self.server
        with srv.lock:
            srv.requests.append(self.path)
        body = srv.files.get(self.path)
        if body is None:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.path in srv.cut:
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)

    def log_message(self, *args):  # keep pytest's output clean
        pass


@pytest.fixture
def server(monkeypatch):
    """A threaded HTTP/1.0 server on 127.0.0.1; `server.url` is its base URL ending in "/"."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    srv.files, srv.cut, srv.requests, srv.lock = {}, set(), [], threading.Lock()
    srv.url = f"http://127.0.0.1:{srv.server_address[1]}/"
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def idx_gz(shape, seed):
    """gzip of an IDX uint8 file of random values (incompressible enough to be a few chunks long)."""
    values = np.random.default_rng(seed).integers(0, 256, size=shape, dtype=np.uint8)
    raw = b"\x00\x00\x08" + bytes([len(shape)]) + struct.pack(f">{len(shape)}I", *shape) + values.tobytes()
    return gzip.compress(raw), raw, values


def sha(b):
    return hashlib.sha256(b).hexdigest()


def files_in(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------------------------------------- fetch()
def test_download_success(server, tmp_path):
    gz, _, values = idx_gz((50, 28, 28), seed=1)  # ~39 KB: several chunks
    server.files["/m/a-idx3-ubyte.gz"] = gz
    path = download.fetch("a-idx3-ubyte.gz", sha(gz), [server.url + "m/"], tmp_path / "d", progress=False)
    assert path == tmp_path / "d" / "a-idx3-ubyte.gz"
    assert path.read_bytes() == gz
    assert files_in(tmp_path / "d") == ["a-idx3-ubyte.gz"]  # no temporary file left
    assert server.requests == ["/m/a-idx3-ubyte.gz"]
    np.testing.assert_array_equal(idx.read_idx(path), values)


def test_download_shows_progress(server, tmp_path, capsys):
    gz, _, _ = idx_gz((20, 28, 28), seed=2)
    server.files["/a.gz"] = gz
    download.fetch("a.gz", sha(gz), [server.url], tmp_path, progress=True)
    assert "a.gz" in capsys.readouterr().err  # tqdm writes its bar, named after the file, to stderr


def test_hash_mismatch_raises_and_leaves_nothing(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=3)
    server.files["/a.gz"] = gz
    with pytest.raises(download.DownloadError, match=r"a\.gz: .*SHA-256 mismatch: got [0-9a-f]{64}"):
        download.fetch("a.gz", sha(b"something else"), [server.url], tmp_path / "d", progress=False)
    assert files_in(tmp_path / "d") == []


def test_connection_cut_mid_file_raises_and_leaves_nothing(server, tmp_path):
    gz, _, _ = idx_gz((100, 28, 28), seed=4)  # ~78 KB; the server sends half, then closes
    server.files["/a.gz"] = gz
    server.cut.add("/a.gz")
    with pytest.raises(download.DownloadError, match=rf"connection closed after {len(gz) // 2} of {len(gz)} bytes"):
        download.fetch("a.gz", sha(gz), [server.url], tmp_path / "d", progress=False)
    assert files_in(tmp_path / "d") == []
    assert server.requests == ["/a.gz"]


def test_first_mirror_404_then_second_mirror_used(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=5)
    server.files["/second/a.gz"] = gz
    path = download.fetch("a.gz", sha(gz), [server.url + "first/", server.url + "second/"], tmp_path,
                          progress=False)
    assert path.read_bytes() == gz
    assert server.requests == ["/first/a.gz", "/second/a.gz"]
    assert files_in(tmp_path) == ["a.gz"]


def test_bad_mirror_content_then_good_mirror(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=6)
    server.files["/bad/a.gz"] = gz[:-5] + b"xxxxx"
    server.files["/good/a.gz"] = gz
    path = download.fetch("a.gz", sha(gz), [server.url + "bad/", server.url + "good/"], tmp_path, progress=False)
    assert path.read_bytes() == gz and files_in(tmp_path) == ["a.gz"]


def test_second_call_uses_the_cache_without_a_request(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=7)
    server.files["/a.gz"] = gz
    first = download.fetch("a.gz", sha(gz), [server.url], tmp_path, progress=False)
    assert len(server.requests) == 1
    second = download.fetch("a.gz", sha(gz), [server.url], tmp_path, progress=False)
    assert second == first and len(server.requests) == 1


def test_a_damaged_cached_file_is_replaced(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=8)
    server.files["/a.gz"] = gz
    (tmp_path / "a.gz").write_bytes(gz[:100])
    download.fetch("a.gz", sha(gz), [server.url], tmp_path, progress=False)
    assert (tmp_path / "a.gz").read_bytes() == gz and len(server.requests) == 1


def test_all_mirrors_failing_lists_each_url(server, tmp_path):
    with pytest.raises(download.DownloadError) as err:
        download.fetch("a.gz", "0" * 64, [server.url + "x/", server.url + "y/"], tmp_path / "d", progress=False)
    msg = str(err.value)
    assert f"{server.url}x/a.gz: HTTP 404" in msg and f"{server.url}y/a.gz: HTTP 404" in msg
    assert files_in(tmp_path / "d") == []


def test_interrupt_mid_download_leaves_nothing(server, tmp_path, monkeypatch):
    gz, _, _ = idx_gz((100, 28, 28), seed=9)
    server.files["/a.gz"] = gz

    class InterruptingBar:
        def update(self, n):
            raise KeyboardInterrupt

        def close(self):
            pass

    monkeypatch.setattr(download, "_progress", lambda total, desc, enabled: InterruptingBar())
    with pytest.raises(KeyboardInterrupt):
        download.fetch("a.gz", sha(gz), [server.url], tmp_path / "d")
    assert files_in(tmp_path / "d") == []


@pytest.mark.parametrize("kwargs, match", [
    (dict(filename="../a.gz"), "plain file name"),
    (dict(sha256="abc"), "64 hex digits"),
    (dict(mirrors="http://127.0.0.1/"), "non-empty list"),
    (dict(mirrors=[]), "non-empty list"),
])
def test_fetch_argument_checks(tmp_path, kwargs, match):
    args = dict(filename="a.gz", sha256="0" * 64, mirrors=["http://127.0.0.1:9/"], dest_dir=tmp_path)
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        download.fetch(**args)


# ---------------------------------------------------------------------------------------------- full-set lookup
@pytest.fixture
def toy_set(server):
    """A DataSet like MNIST (4 IDX files, 6 train / 2 test images) served by the local server."""
    shapes = {"train-images-idx3-ubyte": (6, 28, 28), "train-labels-idx1-ubyte": (6,),
              "t10k-images-idx3-ubyte": (2, 28, 28), "t10k-labels-idx1-ubyte": (2,)}
    files, arrays = [], {}
    for seed, (name, shape) in enumerate(shapes.items()):
        gz, raw, values = idx_gz(shape, seed)
        server.files[f"/mirror/{name}.gz"] = gz
        files.append(data.IdxFile(name, shape, sha(gz), sha(raw)))
        arrays[name] = (values, gz, raw)
    spec = data.DataSet(title="Toy-MNIST", folder="toy", mirrors=(server.url + "gone/", server.url + "mirror/"),
                        system_dirs=(), files=tuple(files))
    return spec, arrays


def test_offline_without_files_gives_one_clear_error(toy_set, tmp_path, server):
    spec, _ = toy_set
    with pytest.raises(FileNotFoundError) as err:
        data.locate(spec, data_dir=tmp_path, download=False)
    msg = str(err.value)
    for f in spec.files:
        assert f.name + ".gz" in msg
    for base in spec.mirrors:
        assert base in msg
    assert str(tmp_path / "toy") in msg
    assert server.requests == []


def test_full_set_is_downloaded_once_then_read_from_cache(toy_set, tmp_path, server):
    spec, arrays = toy_set
    first = data.load_full(spec, data_dir=tmp_path, progress=False)
    for arr, f in zip(first, spec.files):
        np.testing.assert_array_equal(arr, arrays[f.name][0])
    assert files_in(tmp_path / "toy") == sorted(f.name + ".gz" for f in spec.files)
    n = len(server.requests)
    assert n == 8  # each file: 404 on the first mirror, then the second
    second = data.load_full(spec, data_dir=tmp_path, progress=False)
    assert len(server.requests) == n
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)


def test_hand_placed_files_are_used_without_download(toy_set, tmp_path, server):
    spec, arrays = toy_set
    (tmp_path / "toy").mkdir()
    for f in spec.files[:2]:  # the training files by hand, decompressed
        (tmp_path / "toy" / f.name).write_bytes(arrays[f.name][2])
    data.load_full(spec, data_dir=tmp_path, progress=False)
    requested = {p.rsplit("/", 1)[1] for p in server.requests}
    assert requested == {f.name + ".gz" for f in spec.files[2:]}


def test_system_copy_is_used_without_download(toy_set, tmp_path, server):
    spec, arrays = toy_set
    system = tmp_path / "usr-share"
    system.mkdir()
    for f in spec.files:  # recompressed differently from the mirror's .gz: accepted by the content hash
        (system / (f.name + ".gz")).write_bytes(gzip.compress(arrays[f.name][2], compresslevel=1, mtime=0))
    spec = data.DataSet(spec.title, spec.folder, spec.mirrors, (str(system),), spec.files)
    out = data.load_full(spec, data_dir=tmp_path / "data", download=False)
    np.testing.assert_array_equal(out[0], arrays["train-images-idx3-ubyte"][0])
    assert server.requests == []


def test_a_wrong_hand_placed_file_is_rejected_by_name(toy_set, tmp_path):
    spec, arrays = toy_set
    (tmp_path / "toy").mkdir()
    f = spec.files[1]
    wrong = bytearray(arrays[f.name][2])
    wrong[-1] ^= 1  # one label changed: a valid IDX file, but not the pinned one
    (tmp_path / "toy" / f.name).write_bytes(bytes(wrong))
    with pytest.raises(ValueError, match=rf"toy/{f.name} is not Toy-MNIST's {f.name}: the SHA-256"):
        data.load_full(spec, data_dir=tmp_path, progress=False)


def test_every_mirror_down_gives_one_error_and_leaves_nothing(toy_set, tmp_path, server):
    spec, _ = toy_set
    server.files.clear()
    with pytest.raises(download.DownloadError) as err:
        data.locate(spec, data_dir=tmp_path, progress=False)
    msg = str(err.value)
    assert "missing train-images-idx3-ubyte.gz" in msg and "HTTP 404" in msg and str(tmp_path / "toy") in msg
    assert files_in(tmp_path / "toy") == []


def closed_port_url():
    """A base URL on 127.0.0.1 where nothing listens (connection refused)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_an_unreachable_mirror_is_skipped_for_later_files(server, tmp_path):
    gz, _, _ = idx_gz((10, 28, 28), seed=10)
    server.files["/a.gz"] = gz
    dead = closed_port_url()
    unreachable = set()
    download.fetch("a.gz", sha(gz), [dead, server.url], tmp_path, progress=False, unreachable=unreachable)
    assert unreachable == {dead}
    with pytest.raises(download.DownloadError, match=r"b\.gz: not tried \(could not connect to this mirror"):
        download.fetch("b.gz", "0" * 64, [dead], tmp_path, progress=False, unreachable=unreachable)


def test_offline_download_fails_with_one_message_for_all_files(toy_set, tmp_path):
    spec, _ = toy_set
    dead = closed_port_url()
    spec = data.DataSet(spec.title, spec.folder, (dead,), (), spec.files)
    with pytest.raises(download.DownloadError) as err:
        data.locate(spec, data_dir=tmp_path, progress=False)
    msg = str(err.value)
    assert msg.count("cannot connect") == 1 and msg.count("not tried") == 3
    assert files_in(tmp_path / "toy") == []


def test_a_partial_download_keeps_the_verified_files_and_names_the_rest(toy_set, tmp_path, server):
    spec, _ = toy_set
    del server.files["/mirror/t10k-labels-idx1-ubyte.gz"]
    with pytest.raises(download.DownloadError) as err:
        data.locate(spec, data_dir=tmp_path, progress=False)
    assert "missing t10k-labels-idx1-ubyte.gz (looked in" in str(err.value)
    assert files_in(tmp_path / "toy") == sorted(f.name + ".gz" for f in spec.files[:3])
