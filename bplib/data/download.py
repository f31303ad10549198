"""Download a file from a list of mirrors, verified by SHA-256 and written atomically.

The file is streamed into a temporary file in the destination folder while its SHA-256 is computed; only when
every byte arrived and the hash matches the pinned one is it renamed (os.replace, atomic on one file system) to
its final name. Any failure (HTTP error, connection cut, wrong hash, Ctrl-C) deletes the temporary file, so a
broken download never leaves anything that could be loaded later. A file already in place with the right hash
is used without any network request.
"""
import hashlib
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from ..i18n import tr

CHUNK = 1 << 16


class DownloadError(RuntimeError):
    """Every mirror failed for a file (the message lists each URL and why)."""


def sha256_file(path):
    """SHA-256 hex digest of the file at `path`, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def _progress(total, desc, enabled):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:  # tqdm is optional
        return None
    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False)


def _download_to(url, tmp, timeout, progress, desc):
    """Stream `url` into the open binary file `tmp`; return (bytes written, sha256 hex). Raises on a short read."""
    h = hashlib.sha256()
    n = 0
    with urllib.request.urlopen(url, timeout=timeout) as response:
        length = response.headers.get("Content-Length")
        total = int(length) if length and length.isdigit() else None
        bar = _progress(total, desc, progress)
        try:
            while True:
                block = response.read(CHUNK)  # b"" at the end, and also when the server closes early
                if not block:
                    break
                tmp.write(block)
                h.update(block)
                n += len(block)
                if bar is not None:
                    bar.update(len(block))
        finally:
            if bar is not None:
                bar.close()
    if total is not None and n != total:
        raise OSError(tr("connection closed after {n} of {total} bytes", n=n, total=total))
    return n, h.hexdigest()


def fetch(filename, sha256, mirrors, dest_dir, timeout=30.0, progress=True, unreachable=None):
    """Return the path of `dest_dir/filename`, downloading it from the first mirror that serves the right bytes.

    Args:
        filename: the file's name on the mirrors and on disk, e.g. "train-images-idx3-ubyte.gz".
        sha256: its pinned SHA-256 (64 hex digits).
        mirrors: base URLs tried in order; the URL is base + filename (so each base ends with "/").
        dest_dir: folder to put the file into (created if missing).
        timeout: seconds to wait for each connection / read.
        progress: show a tqdm progress bar while downloading.
        unreachable: optional set shared by several calls: a mirror that cannot be connected to is added to it
            and not tried again by later calls (so a machine without network fails fast, not after a timeout
            per file and mirror).
    Returns:
        pathlib.Path of the verified file.
    Raises:
        DownloadError listing every mirror's failure (HTTP error, cut connection, hash mismatch); no new file
        is left in dest_dir then (temporary files are deleted).
    """
    if not isinstance(filename, str) or not filename or "/" in filename or "\\" in filename:
        raise ValueError(f"filename must be a plain file name, got {filename!r}")
    if not (isinstance(sha256, str) and len(sha256) == 64 and all(c in "0123456789abcdef" for c in sha256.lower())):
        raise ValueError(f"sha256 must be 64 hex digits, got {sha256!r}")
    sha256 = sha256.lower()
    if isinstance(mirrors, str) or not mirrors:
        raise ValueError(f"mirrors must be a non-empty list of base URLs, got {mirrors!r}")
    dest_dir = Path(dest_dir)
    dest = dest_dir / filename
    if dest.is_file() and sha256_file(dest) == sha256:
        return dest  # cached: no request
    dest_dir.mkdir(parents=True, exist_ok=True)
    failures = []
    for base in mirrors:
        url = base + filename
        if unreachable is not None and base in unreachable:
            failures.append("  " + tr("{url}: not tried (could not connect to this mirror earlier)", url=url))
            continue
        fd, tmp_name = tempfile.mkstemp(dir=dest_dir, prefix=f".{filename}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as tmp:
                n, digest = _download_to(url, tmp, timeout, progress, desc=filename)
            if digest != sha256:
                raise OSError(tr("SHA-256 mismatch: got {digest} ({n} bytes), expected {expected}", digest=digest, n=n,
                                 expected=sha256))
            os.replace(tmp_name, dest)
            return dest
        except BaseException as exc:
            try:
                os.unlink(tmp_name)
            except FileNotFoundError:
                pass
            if not isinstance(exc, Exception):  # KeyboardInterrupt and the like: clean up, then stop
                raise
            if isinstance(exc, urllib.error.HTTPError):
                reason = f"HTTP {exc.code} {exc.reason}"
            elif isinstance(exc, (urllib.error.URLError, TimeoutError, ConnectionRefusedError)):
                reason = tr("cannot connect ({reason})", reason=getattr(exc, 'reason', exc))
                if unreachable is not None:
                    unreachable.add(base)
            else:
                reason = f"{type(exc).__name__}: {exc}"
            failures.append(f"  {url}: {reason}")
    raise DownloadError(tr("could not download {filename} from any mirror; nothing was saved.", filename=filename)
                        + "\n" + "\n".join(failures))
